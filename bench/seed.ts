/**
 * Fills a new domain with N cases (made by seed-cases.ts) for the search benchmark:
 *   npm run seed -- --cases 1000000 --data-dir /tmp/oc-bench [--database-url postgres://…]
 * The domain, its ~20 custom fields, options and template are created through the API (SDK against an
 * in-process server on the data dir); the cases go in through the store's bulk path (Store.loadCases: on SQLite
 * the search indexes are built once at the end and the text index on the second core), without HTTP, in batches
 * of 1,000: a larger batch outlives V8's young generation, and collecting it slowed the load (docs/search.md).
 * Writes DIR/bench-domain.json for bench/search.ts. A SQLite and a PostgreSQL seed of the same size hold the same
 * cases (bench/search.ts compares them). With --database-url the cases go into that PostgreSQL database; DIR then
 * only receives the manifest.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import {
  BatchPutFieldOptionsCommand,
  ConnectCasesClient,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
} from '@aws-sdk/client-connectcases';
import { startServer } from '../src/server.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { ensureDatabase } from './postgres.js';
import { CUSTOM_FIELDS, STATUSES, caseMaker } from './seed-cases.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BENCH_ACCESS_KEY, BENCH_REGION, type BenchManifest } from './search-domain.js';

async function main() {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000000' },
      'data-dir': { type: 'string' },
      batch: { type: 'string', default: '1000' },
      'database-url': { type: 'string' },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir DIR is required (a directory; the database is DIR/opencases.db)');
  const total = Number(values.cases);
  const batch = Number(values.batch);
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(batch) || batch < 1) throw new Error('--cases and --batch take positive integers');

  const databaseUrl = values['database-url'];
  mkdirSync(dataDir, { recursive: true });
  if (databaseUrl) await ensureDatabase(databaseUrl);
  const server = await startServer({ dataDir, databaseUrl, logLevel: 'silent' });
  const client = new ConnectCasesClient({
    endpoint: server.endpoint,
    region: BENCH_REGION,
    credentials: { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: 'bench' },
  });
  const { domainId } = await client.send(new CreateDomainCommand({ name: `bench-${Date.now()}` }));
  const fields: Record<string, string> = {};
  for (const f of CUSTOM_FIELDS) {
    const { fieldId } = await client.send(new CreateFieldCommand({ domainId, name: f.name, type: f.type }));
    fields[f.name] = fieldId!;
    if (f.options) {
      await client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: f.options.map((o) => ({ name: o, value: o, active: true })) }));
    }
  }
  const statusOptions = [...new Set(STATUSES)].filter((s) => s !== 'open' && s !== 'closed');
  await client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: 'status', options: statusOptions.map((o) => ({ name: o, value: o, active: true })) }));
  const { templateId } = await client.send(new CreateTemplateCommand({ domainId, name: 'Bench', status: 'Active' }));
  client.destroy();

  const store = server.store;
  const makeCase = caseMaker({ domainId: domainId!, templateId: templateId!, fields, total });

  const bar = new cliProgress.SingleBar(
    { format: 'seeding [{bar}] {percentage}% | {value}/{total} cases | {speed} cases/s | {phase}' },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  const phases = { cases: 'loading cases', indexes: 'building the search indexes', text: 'landing the text index' };
  bar.start(total, 0, { speed: 0, phase: phases.cases });
  function* batches() {
    for (let done = 0; done < total; done += batch) {
      yield Array.from({ length: Math.min(batch, total - done) }, (_, i) => makeCase(done + i));
    }
  }
  /** When each phase began, in seconds since the start: printed with the result. */
  const phaseStarts: Partial<Record<keyof typeof phases, number>> = {};
  await store.loadCases(batches(), ({ loaded, phase }) => {
    phaseStarts[phase] ??= (Date.now() - started) / 1000;
    bar.update(loaded, { speed: Math.round(loaded / ((Date.now() - started) / 1000)), phase: phases[phase] });
  });
  bar.stop();
  const loadedAt = (Date.now() - started) / 1000;
  // PostgreSQL's load leaves nothing pending; on SQLite the text index may be left to the indexer (see loadCases).
  if (store instanceof SqliteStore) await store.indexAllText();
  const seconds = (Date.now() - started) / 1000;
  // Statistics for the query planner; a sample is enough and keeps this quick at a million cases.
  if (store instanceof SqliteStore) {
    store.db.pragma('analysis_limit = 1000');
    store.db.exec('ANALYZE');
  } else if (store instanceof PgStore) {
    await store.pool.query('ANALYZE');
  }
  const manifest: BenchManifest = { domainId: domainId!, templateId: templateId!, cases: total, fields, databaseUrl };
  writeFileSync(join(dataDir, 'bench-domain.json'), JSON.stringify(manifest, null, 2));
  await server.close();
  const at = (t: number | undefined) => (t === undefined ? '-' : `${t.toFixed(1)} s`);
  console.log(
    `phases: cases from 0 s, search indexes from ${at(phaseStarts.indexes)}, text index from ${at(phaseStarts.text)}, ` +
      `load done at ${at(loadedAt)}, pending text indexed by ${at(seconds)}`,
  );
  console.log(`seeded ${total} cases in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} cases/s) into ${dataDir}; domain ${domainId}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
