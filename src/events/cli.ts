/** The command line of the case event stream: the `serve` flags of delivery, and `opencases events ...`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PgStore } from '../store/postgres/pg-store.js';
import { DEFAULT_CONFIG } from '../config.js';
import type { EventStreamOptions } from './delivery.js';
import { DEFAULT_DELIVERY } from './worker.js';

export const EVENT_SERVE_USAGE = `  --webhook-url URL        POST every case event to URL, repeatable [OPENCASES_WEBHOOK_URLS=url1,url2]
  --webhook-secret SECRET  sign webhook bodies: x-opencases-signature: sha256=<HMAC-SHA256 hex> [OPENCASES_WEBHOOK_SECRET]
  --eventbridge-bus NAME   send case events to this EventBridge bus with PutEvents [OPENCASES_EVENTBRIDGE_BUS]
  --eventbridge-endpoint URL  EventBridge endpoint (an emulator); default AWS [OPENCASES_EVENTBRIDGE_ENDPOINT]
  --eventbridge-source S   PutEvents Source, default aws.cases (AWS itself refuses aws.*) [OPENCASES_EVENTBRIDGE_SOURCE]
  --event-max-attempts N   attempts before an event is parked as dead, default ${DEFAULT_DELIVERY.maxAttempts} [OPENCASES_EVENT_MAX_ATTEMPTS]
  --event-timeout-ms MS    timeout of one delivery attempt, default ${DEFAULT_DELIVERY.timeoutMs} [OPENCASES_EVENT_TIMEOUT_MS]
  --event-retry-ms MS      first retry delay, doubling up to ${DEFAULT_DELIVERY.retryMaxMs} ms; default ${DEFAULT_DELIVERY.retryBaseMs} [OPENCASES_EVENT_RETRY_MS]
`;

export const EVENTS_USAGE = `Usage: opencases events <dead | requeue | discard> [--data-dir DIR | --database-url URL] [--id EVENT_ID ...]

  dead      list events parked as dead after their last delivery attempt (JSON lines)
  requeue   deliver dead events again, all of them or those named with --id (a running server picks them up)
  discard   drop dead events for good, all of them or those named with --id (unblocks their cases)
`;

export const EVENT_SERVE_OPTIONS = {
  'webhook-url': { type: 'string', multiple: true },
  'webhook-secret': { type: 'string' },
  'eventbridge-bus': { type: 'string' },
  'eventbridge-endpoint': { type: 'string' },
  'eventbridge-source': { type: 'string' },
  'event-max-attempts': { type: 'string' },
  'event-timeout-ms': { type: 'string' },
  'event-retry-ms': { type: 'string' },
} as const;

type EventFlags = { [K in keyof typeof EVENT_SERVE_OPTIONS]?: (typeof EVENT_SERVE_OPTIONS)[K] extends { multiple: true } ? string[] : string };

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`invalid --${name} '${text}': expected a positive whole number`);
  return Number(text);
}

const list = (text: string | undefined) => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

export function eventStreamOptions(v: EventFlags, env: NodeJS.ProcessEnv): EventStreamOptions {
  return {
    webhookUrls: v['webhook-url'] ?? list(env.OPENCASES_WEBHOOK_URLS),
    webhookSecret: v['webhook-secret'] ?? (env.OPENCASES_WEBHOOK_SECRET || undefined),
    eventBridgeBus: v['eventbridge-bus'] ?? (env.OPENCASES_EVENTBRIDGE_BUS || undefined),
    eventBridgeEndpoint: v['eventbridge-endpoint'] ?? (env.OPENCASES_EVENTBRIDGE_ENDPOINT || undefined),
    eventBridgeSource: v['eventbridge-source'] ?? (env.OPENCASES_EVENTBRIDGE_SOURCE || undefined),
    delivery: {
      maxAttempts: positiveInt('event-max-attempts', v['event-max-attempts'] ?? env.OPENCASES_EVENT_MAX_ATTEMPTS),
      timeoutMs: positiveInt('event-timeout-ms', v['event-timeout-ms'] ?? env.OPENCASES_EVENT_TIMEOUT_MS),
      retryBaseMs: positiveInt('event-retry-ms', v['event-retry-ms'] ?? env.OPENCASES_EVENT_RETRY_MS),
    },
  };
}

/** `opencases events ...`: works on the database directly, also while a server runs on it. */
export async function eventsCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      id: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help || !action || action === '-h' || action === '--help') {
    process.stdout.write(EVENTS_USAGE);
    return;
  }
  if (!['dead', 'requeue', 'discard'].includes(action)) throw new Error(`unknown events action '${action}'\n\n${EVENTS_USAGE}`);
  const env = process.env;
  const url = values['database-url'] ?? (env.DATABASE_URL || undefined);
  const dataDir = values['data-dir'] ?? env.OPENCASES_DATA_DIR ?? DEFAULT_CONFIG.dataDir;
  // Opening a missing database would create an empty one and report "nothing dead": a typo must not look like that.
  if (!url && !existsSync(join(dataDir, 'opencases.db'))) throw new Error(`no opencases database in '${dataDir}' (--data-dir)`);
  const store = url ? await PgStore.open({ url }) : new SqliteStore({ dataDir });
  try {
    if (action === 'dead') {
      const dead = await store.read((tx) => tx.listDeadDeliveries());
      for (const d of dead) {
        const line = { eventId: d.eventId, sink: d.sinkId, caseId: d.caseId, domainId: d.domainId, createdTime: d.createdTime, attempts: d.attempts, lastError: d.lastError };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
      process.stderr.write(`${dead.length} dead event deliveries\n`);
    } else if (action === 'requeue') {
      const n = await store.write((tx) => tx.requeueDeadDeliveries(values.id));
      process.stdout.write(`requeued ${n} event deliveries\n`);
    } else {
      const n = await store.write((tx) => tx.discardDeadDeliveries(values.id));
      process.stdout.write(`discarded ${n} event deliveries\n`);
    }
  } finally {
    await store.close();
  }
}
