/** Composition root: config → store, auth, handlers, HTTP server. */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { newId } from './ids.js';
import { DEFAULT_CONFIG, isLoopback, type ServerConfig } from './config.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { PgStore, describeDatabaseUrl } from './store/postgres/pg-store.js';
import type { Store } from './store/types.js';
import { Authenticator } from './auth/sigv4.js';
import { loadCredentials } from './auth/credentials.js';
import { TokenCodec } from './cases/pagination.js';
import { ContactDirectory } from './cases/contacts.js';
import { handlers } from './operations/index.js';
import { createEventDelivery } from './events/delivery.js';
import { createPipeline } from './protocol/http.js';
import { Workspace } from './web/sessions.js';
import { StaticFiles, defaultWebRoot } from './web/static.js';

/** The package version, read from package.json (one level up from src/, two from dist/src/). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (pkg.name === 'opencases') return pkg.version as string;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
})();

export interface StartOptions extends Partial<Omit<ServerConfig, 'quotas'>> {
  quotas?: Partial<ServerConfig['quotas']>;
  /** Use this store instead of opening one from dataDir (tests, other backends). */
  store?: Store;
  logger?: Logger;
  /** The built web workspace to serve (default: web/dist of this package). */
  webRoot?: string;
  /** How long a failed workspace sign-in waits before answering (tests shorten it). */
  signInFailureDelayMs?: number;
}

export interface RunningServer {
  /** `http://host:port`, ready for --endpoint-url. */
  endpoint: string;
  port: number;
  store: Store;
  config: ServerConfig;
  close(): Promise<void>;
}

/**
 * Starts an opencases server. Programmatic defaults suit other projects' test suites: an in-memory store,
 * a random free port, and no log output.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    dataDir: ':memory:',
    port: 0,
    logLevel: 'silent',
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    quotas: { ...DEFAULT_CONFIG.quotas, ...options.quotas },
  };
  if (!config.credentialsFile && !isLoopback(config.host)) {
    throw new Error(
      `Refusing to listen on ${config.host} without --credentials: dev mode accepts any signature, so it only binds to loopback addresses. ` +
        'Pass --credentials FILE to serve other hosts.',
    );
  }
  // Buffered asynchronous stdout: one write per 4 KB of log lines instead of one per request (a write call cost
  // ~10% of a GetCase's CPU), flushed at least every 250 ms and when the process exits (pino does that).
  const logDestination = options.logger ? undefined : pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logFlush = logDestination && setInterval(() => logDestination.flush(), 250).unref();
  const logger = options.logger ?? pino({ level: config.logLevel }, logDestination);
  const credentials = config.credentialsFile ? loadCredentials(config.credentialsFile) : undefined;
  const store =
    options.store ??
    (config.databaseUrl
      ? await PgStore.open({ url: config.databaseUrl, onUnavailable: (err) => logger.error({ err }, 'database unavailable') })
      : new SqliteStore({ dataDir: config.dataDir }));
  const tokens = await TokenCodec.load(store);
  // Built (and its configuration checked) before listening; started once the server is up.
  const delivery = createEventDelivery(store, config.events ?? {}, config.region, `opencases/${VERSION}`, logger);
  const now = config.now ?? (() => new Date());

  const pipeline = createPipeline({
    handlers,
    auth: new Authenticator({ region: config.region, credentials: credentials?.byKey, now: () => now().getTime() }),
    workspace: {
      sessions: new Workspace({ region: config.region, users: credentials?.users, failureDelayMs: options.signInFailureDelayMs }),
      files: new StaticFiles(options.webRoot ?? defaultWebRoot()),
    },
    logger,
    maxBodyBytes: config.maxBodyBytes,
    version: VERSION,
    context: {
      store,
      region: config.region,
      now,
      newId,
      tokens,
      quotas: config.quotas,
      enforceCaseRules: config.enforceCaseRules,
      contacts: config.contactsFile ? ContactDirectory.fromFile(config.contactsFile) : ContactDirectory.empty(),
    },
  });
  // Slow or idle clients must not hold sockets for ever: Node checks the timeouts every
  // connectionsCheckingInterval, so keep that well below them. Idle keep-alive sockets live 65 s, longer than
  // the SDKs' habit of reusing a pooled socket after a pause: with Node's 5 s default, a client that paused for
  // about 5 s could send its next request just as the server closed the socket, and get ECONNRESET.
  const server: Server = createServer(
    {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs / 2),
      keepAliveTimeout: 65_000,
    },
    pipeline,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  const storage = config.databaseUrl ? { database: describeDatabaseUrl(config.databaseUrl) } : { dataDir: config.dataDir };
  logger.info({ port, host: config.host, ...storage, mode: credentials ? 'strict' : 'dev' }, 'opencases listening');
  // The stores report trouble in their background work (the text indexer, the WAL checkpoint worker, a bulk load's
  // text worker) as process warnings, which Node prints to stderr as plain text: into the structured log with them.
  const onWarning = (warning: Error) => logger.warn({ warning: warning.name }, warning.message);
  process.on('warning', onWarning);
  delivery?.start();
  // Requests that come meanwhile wait in the store's queue, as they would for the first search of a large domain.
  if (store instanceof SqliteStore) {
    store.warmUp().then(
      (domains) => domains.length && logger.info({ domains }, 'search sets loaded'),
      (err) => logger.warn({ err }, 'loading the search sets failed; searches load them when needed'),
    );
  }

  let closed = false;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    store,
    config,
    async close() {
      if (closed) return;
      closed = true;
      process.off('warning', onWarning);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await delivery?.stop();
      if (!options.store) await store.close();
      clearInterval(logFlush);
      logDestination?.flush();
    },
  };
}
