/**
 * Fills a new domain with N cases for the search benchmark:
 *   npm run seed -- --cases 1000000 --data-dir /tmp/oc-bench [--database-url postgres://…]
 * The domain, its ~20 custom fields, options and template are created through the API (SDK against an
 * in-process server on the data dir); the cases go in through the store's bulk path (Store.loadCases: on SQLite
 * the search indexes are built once at the end and the text index on the second core), without HTTP. Writes DIR/bench-domain.json for
 * bench/search.ts. Values, case ids and times are random but reproducible (seeded PRNG, a fixed clock), so
 * a SQLite and a PostgreSQL seed of the same size hold the same cases (bench/search.ts compares them).
 * With --database-url the cases go into that PostgreSQL database; DIR then only receives the manifest.
 */
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import {
  BatchPutFieldOptionsCommand,
  ConnectCasesClient,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  type FieldType,
} from '@aws-sdk/client-connectcases';
import { startServer } from '../src/server.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { ensureDatabase } from './postgres.js';
import { prng } from './load.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { CaseRecord } from '../src/store/types.js';
import type { FieldValueUnion } from '../model/types.js';
import { BENCH_ACCESS_KEY, BENCH_REGION, type BenchManifest } from './search-domain.js';


const WORDS = {
  problem: ['printer', 'login', 'refund', 'delivery', 'invoice', 'password', 'router', 'screen', 'battery', 'shipment', 'warranty', 'subscription', 'payment', 'account', 'upgrade', 'crash', 'noise', 'leak', 'install', 'license'],
  verb: ['not working', 'delayed', 'broken', 'missing', 'charged twice', 'stuck', 'slow', 'cancelled', 'locked', 'overheating'],
  place: ['Berlin', 'Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Oslo', 'Lima', 'Austin', 'Dublin', 'Pune', 'Perth', 'Quebec'],
  filler: ['customer', 'called', 'again', 'about', 'the', 'issue', 'reported', 'yesterday', 'after', 'update', 'since', 'monday', 'urgent', 'please', 'check', 'order', 'replacement', 'sent', 'waiting', 'for', 'reply', 'escalate', 'manager', 'confirmed', 'resolved', 'partially'],
};

const CUSTOM_FIELDS: { name: string; type: FieldType; options?: string[] }[] = [
  { name: 'product', type: 'Text' },
  { name: 'description', type: 'Text' },
  { name: 'city', type: 'Text' },
  { name: 'order_ref', type: 'Text' },
  { name: 'notes', type: 'Text' },
  { name: 'amount', type: 'Number' },
  { name: 'priority', type: 'Number' },
  { name: 'score', type: 'Number' },
  { name: 'vip', type: 'Boolean' },
  { name: 'escalated', type: 'Boolean' },
  { name: 'due_date', type: 'DateTime' },
  { name: 'purchased_at', type: 'DateTime' },
  { name: 'channel', type: 'SingleSelect', options: ['phone', 'email', 'chat', 'sms', 'social'] },
  { name: 'severity', type: 'SingleSelect', options: ['low', 'medium', 'high', 'critical'] },
  { name: 'category', type: 'SingleSelect', options: Array.from({ length: 20 }, (_, i) => `category-${i + 1}`) },
  { name: 'region', type: 'SingleSelect', options: ['emea', 'apac', 'amer', 'latam', 'anz', 'india', 'china', 'japan', 'nordics', 'dach'] },
  { name: 'link', type: 'Url' },
  { name: 'owner', type: 'User' },
  { name: 'second_owner', type: 'User' },
  { name: 'account_ref', type: 'Text' },
];

const STATUSES = ['open', 'open', 'open', 'closed', 'closed', 'closed', 'closed', 'pending', 'in_progress', 'resolved'];

async function main() {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000000' },
      'data-dir': { type: 'string' },
      batch: { type: 'string', default: '20000' },
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
  const rand = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  /** 8 hex digits of one draw: 4 draws make a UUID (version 4 layout) without building it digit by digit. */
  const hex8 = () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0');
  const uuid = () => {
    const a = hex8(), b = hex8(), c = hex8(), d = hex8();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  };
  /** A case id as the server makes them (time-ordered, version 7), for the time the case was created. */
  const randomBytes = new Uint8Array(16);
  const randomView = new DataView(randomBytes.buffer);
  const caseUuid = (ms: number) => {
    for (let i = 0; i < 16; i += 4) randomView.setUint32(i, Math.floor(rand() * 2 ** 32));
    return uuidv7({ msecs: ms, random: randomBytes });
  };
  const users = Array.from({ length: 50 }, () => `arn:aws:connect:${BENCH_REGION}:${BENCH_ACCESS_KEY}:instance/${uuid()}/agent/${uuid()}`);
  const products = Array.from({ length: 200 }, (_, i) => `${pick(WORDS.problem)}-model-${i}`);
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS.filler)).join(' ');
  const now = Date.parse('2026-11-01T00:00:00.000Z');
  const twoYears = 2 * 365 * 24 * 3600 * 1000;
  const s = (v: string): FieldValueUnion => ({ stringValue: v });
  const d = (ms: number): FieldValueUnion => ({ stringValue: new Date(ms).toISOString() });

  // Cases are made in the order they were created, over the last two years, as a server would have made them:
  // creation times, reference numbers and case ids all grow with i.
  function makeCase(i: number): CaseRecord {
    const created = now - twoYears + Math.floor(((i + rand()) * twoYears) / total);
    const caseId = caseUuid(created);
    const updated = Math.min(now, created + Math.floor(rand() * 30 * 24 * 3600 * 1000));
    const user = pick(users);
    const status = pick(STATUSES);
    const f: Record<string, FieldValueUnion> = {
      title: s(`${pick(WORDS.problem)} ${pick(WORDS.verb)} in ${pick(WORDS.place)}`),
      status: s(status),
      reference_number: s(String(10_000_000 + i)),
      case_id: s(caseId),
      created_datetime: d(created),
      last_updated_datetime: d(updated),
      last_updated_user: { userArnValue: user },
      summary: s(sentence(12 + Math.floor(rand() * 20))),
      [fields.product]: s(pick(products)),
      [fields.description]: s(sentence(5 + Math.floor(rand() * 10))),
      [fields.city]: s(pick(WORDS.place)),
      [fields.order_ref]: s(`ORD-${Math.floor(rand() * 1e9)}`),
      [fields.amount]: { doubleValue: Math.round(rand() * 1_000_000) / 100 },
      [fields.priority]: { doubleValue: 1 + Math.floor(rand() * 5) },
      [fields.score]: { doubleValue: Math.floor(rand() * 101) },
      [fields.vip]: { booleanValue: rand() < 0.1 },
      [fields.escalated]: { booleanValue: rand() < 0.2 },
      [fields.due_date]: d(created + Math.floor(rand() * 60 * 24 * 3600 * 1000)),
      [fields.purchased_at]: d(created - Math.floor(rand() * twoYears)),
      [fields.channel]: s(pick(CUSTOM_FIELDS[12].options!)),
      [fields.severity]: s(pick(CUSTOM_FIELDS[13].options!)),
      [fields.category]: s(pick(CUSTOM_FIELDS[14].options!)),
      [fields.region]: s(pick(CUSTOM_FIELDS[15].options!)),
      [fields.link]: s(`https://shop.example.com/orders/${Math.floor(rand() * 1e8)}`),
      [fields.owner]: { userArnValue: pick(users) },
      [fields.account_ref]: s(`ACC-${Math.floor(rand() * 1e6)}`),
    };
    // Some fields are often empty, as in real data: they exercise "no value" filters and sorts.
    if (rand() < 0.3) f.assigned_user = { userArnValue: pick(users) };
    if (rand() < 0.4) f[fields.notes] = s(sentence(3 + Math.floor(rand() * 8)));
    if (rand() < 0.2) f[fields.second_owner] = { userArnValue: pick(users) };
    if (status === 'closed') f.last_closed_datetime = d(updated);
    const tags: Record<string, string> = {};
    if (rand() < 0.5) tags.team = pick(['alpha', 'beta', 'gamma', 'delta']);
    if (rand() < 0.3) tags.env = pick(['prod', 'staging']);
    if (rand() < 0.05) tags.audit = 'yes';
    return {
      domainId: domainId!,
      caseId,
      templateId: templateId!,
      referenceNumber: String(10_000_000 + i),
      createdTime: new Date(created).toISOString(),
      lastUpdatedTime: new Date(updated).toISOString(),
      fields: f,
      tags,
    };
  }

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
