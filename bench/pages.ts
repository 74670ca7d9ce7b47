/**
 * What a write puts on disk: the WAL frames (database pages) that CreateCase and UpdateCase add per request, by the
 * table or index each page belongs to. A COMMIT writes one frame per page its group changed and syncs them, so this
 * is most of what separates a write's cost from the ceiling's (docs/performance-history.md, "A write group's parts,
 * and its pages").
 *   npm run bench:pages -- [--seed DIR] [--requests 400] [--concurrency 4] [--dir DIR]
 *
 * It copies a seeded database (bench:api's, DIR/seed-N, made by bench/seed.ts), serves it in this process with
 * checkpoints off so that the WAL only grows, sends the requests of bench:api's workloads through the HTTP API
 * (SigV4-signed), `--concurrency` at a time so that they share commits as under bench:api, then reads the page
 * number of every frame each workload added and names its table with SQLite's `dbstat`.
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startServer } from '../src/server.js';
import { prng, requestBodies, send, signer, type Target } from './load.js';
import { BENCH_ACCESS_KEY, BENCH_REGION, type BenchManifest } from './search-domain.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '/tmp/opencases-bench-api/seed-100000' },
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '4' },
    dir: { type: 'string', default: '/tmp/opencases-bench-pages' },
  },
});
const SEED = resolve(args.seed!);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const DIR = resolve(args.dir!);
const WORKLOADS = ['CreateCase', 'UpdateCase'] as const;
/** A WAL file starts with a 32-byte header; each frame is a 24-byte header and a page (opencases uses 4 KiB pages). */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

const log = (text: string) => process.stderr.write(`${text}\n`);

if (!existsSync(join(SEED, 'opencases.db')) || !existsSync(join(SEED, 'bench-domain.json'))) {
  throw new Error(`no seeded database in ${SEED}: run npm run bench:api once (it seeds one), or name one with --seed`);
}
const manifest = JSON.parse(readFileSync(join(SEED, 'bench-domain.json'), 'utf8')) as BenchManifest;
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
log(`copying ${SEED} (${(statSync(join(SEED, 'opencases.db')).size / 2 ** 20).toFixed(0)} MB)`);
copyFileSync(join(SEED, 'opencases.db'), join(DIR, 'opencases.db'));

const seeded = new Database(join(DIR, 'opencases.db'), { readonly: true });
const caseIds = seeded.prepare('SELECT case_id FROM cases WHERE domain_id = ? LIMIT 20000').pluck().all(manifest.domainId) as string[];
seeded.close();

// The seeded domain belongs to the account bench/seed.ts used (its access key in dev mode).
const credential = { accessKeyId: 'AKIDOPENCASESPAGES', secretAccessKey: 'opencases-pages-secret-key', accountId: BENCH_ACCESS_KEY };
const credentialsFile = join(DIR, 'credentials.json');
writeFileSync(credentialsFile, JSON.stringify({ credentials: [credential] }));
const store = new SqliteStore({ dataDir: DIR, checkpoints: false });
const server = await startServer({ store, credentialsFile, port: 0, logLevel: 'silent' });
const target: Target = {
  endpoint: server.endpoint,
  region: BENCH_REGION,
  accessKeyId: credential.accessKeyId,
  secretAccessKey: credential.secretAccessKey,
  domainId: manifest.domainId,
  templateId: manifest.templateId,
  fields: manifest.fields,
  caseIds,
};
const bodies = requestBodies(target, prng(7));
const sign = signer(target);
const endpoint = new URL(target.endpoint);
const walFile = join(DIR, 'opencases.db-wal');
/** The text indexer runs shortly after writes; waiting lets each workload's indexing count as its own. */
const settle = () => new Promise((r) => setTimeout(r, 500));

const ranges = new Map<string, { from: number; to: number }>();
for (const op of WORKLOADS) {
  await settle();
  const from = statSync(walFile).size;
  let left = REQUESTS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const r = await send(endpoint, undefined, await sign(op, bodies[op]()));
        if (r.status !== 200) throw new Error(`${op} answered ${r.status}: ${r.body.slice(0, 300)}`);
      }
    }),
  );
  await settle();
  ranges.set(op, { from, to: statSync(walFile).size });
  log(`${op}: ${REQUESTS} requests sent, ${CONCURRENCY} at a time`);
}
await server.close();

// The frames are read before the store closes: its last connection's close checkpoints and removes the WAL.
const pageSize = store.db.pragma('page_size', { simple: true }) as number;
const framesOf = ({ from, to }: { from: number; to: number }): number[] => {
  const fd = openSync(walFile, 'r');
  const header = Buffer.alloc(4);
  const pages: number[] = [];
  for (let at = Math.max(from, WAL_HEADER); at + FRAME_HEADER + pageSize <= to; at += FRAME_HEADER + pageSize) {
    readSync(fd, header, 0, 4, at);
    pages.push(header.readUInt32BE(0));
  }
  closeSync(fd);
  return pages;
};
const frames = new Map(WORKLOADS.map((op) => [op, framesOf(ranges.get(op)!)]));

log('naming the pages (dbstat reads the whole database)');
const owner = new Map<number, string>();
const tableOf = new Map((store.db.prepare('SELECT name, tbl_name FROM sqlite_schema').all() as { name: string; tbl_name: string }[]).map((r) => [r.name, r.tbl_name]));
for (const r of store.db.prepare('SELECT name, pageno FROM dbstat').iterate() as Iterable<{ name: string; pageno: number }>) {
  const table = tableOf.get(r.name) ?? r.name;
  owner.set(r.pageno, table === r.name ? table : `${table}: ${r.name}`);
}
await store.close();

for (const op of WORKLOADS) {
  const pages = frames.get(op)!;
  const counts = new Map<string, number>();
  for (const p of pages) {
    const name = p === 1 ? '(page 1: the database header)' : (owner.get(p) ?? '(free pages)');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  console.log(`\n${op}: ${(pages.length / REQUESTS).toFixed(1)} WAL frames a request (${REQUESTS} requests, ${CONCURRENCY} at a time)\n`);
  console.log('| table: index | frames a request |\n|---|---:|');
  for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${(n / REQUESTS).toFixed(2)} |`);
}
rmSync(DIR, { recursive: true, force: true });
