/**
 * Export / import throughput on a domain filled by bench/seed.ts:
 *   npm run seed -- --cases 100000 --data-dir /tmp/oc-port
 *   npx tsx bench/portability.ts --data-dir /tmp/oc-port [--concurrency 8] [--skip-api-import]
 * Serves the data dir with `opencases serve` in a separate process, exports the domain through the API to a file,
 * imports the file straight into a fresh data dir (one transaction) and through the API into a second server
 * process, and prints cases per second for each. The file is checked: the direct import re-exports to the same bytes.
 */
import { parseArgs } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { ConnectCasesClient, ListDomainsCommand } from '@aws-sdk/client-connectcases';
import { BENCH_ACCESS_KEY, BENCH_REGION, type BenchManifest } from './search-domain.js';
import { exportToFile } from '../src/portability/checkpoint.js';
import { readFileRecords } from '../src/portability/format.js';
import { importDirect } from '../src/portability/import-direct.js';
import { importViaApi } from '../src/portability/import-api.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'skip-api-import': { type: 'boolean' },
  },
});
const dataDir = values['data-dir'];
if (!dataDir) throw new Error('--data-dir DIR (seeded by bench/seed.ts) is required');
const concurrency = Number(values.concurrency);
const manifest: BenchManifest = JSON.parse(readFileSync(join(dataDir, 'bench-domain.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'oc-port-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

let nextPort = 4700 + Math.floor(Math.random() * 200);

async function serve(dir: string): Promise<ConnectCasesClient> {
  const port = nextPort++;
  children.push(spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--data-dir', dir, '--port', String(port), '--log-level', 'warn'], { stdio: ['ignore', 'inherit', 'inherit'] }));
  const client = new ConnectCasesClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: BENCH_REGION,
    credentials: { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: 'bench' },
    maxAttempts: 3,
  });
  for (let i = 0; ; i++) {
    try {
      await client.send(new ListDomainsCommand({}));
      return client;
    } catch (e) {
      if (i > 300) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const rows: string[][] = [];
const row = (step: string, s: number, extra = '') => {
  rows.push([step, `${s.toFixed(1)} s`, `${Math.round(manifest.cases / s)} cases/s`, extra]);
  console.error(`${step}: ${s.toFixed(1)} s`);
};

const source = await serve(dataDir);
const file = join(work, 'export.ndjson');
let t = performance.now();
const exported = await exportToFile(source, { domainId: manifest.domainId, file, concurrency });
row('export (API -> file)', seconds(t), `${exported.counts.cases} cases, ${(statSync(file).size / 1e6).toFixed(0)} MB`);

const directDir = join(work, 'direct');
const store = new SqliteStore({ dataDir: directDir });
t = performance.now();
const direct = await importDirect(store, () => readFileRecords(file), { region: BENCH_REGION });
row('import direct (file -> SQLite, one transaction)', seconds(t), `${direct.created.cases} cases`);
await store.close();

const reserved = await serve(directDir);
const again = join(work, 'again.ndjson');
await exportToFile(reserved, { domainId: manifest.domainId, file: again, concurrency });
if (!readFileSync(again).equals(readFileSync(file))) throw new Error('the directly imported domain does not export to the same bytes');

if (!values['skip-api-import']) {
  const target = await serve(join(work, 'api'));
  t = performance.now();
  const api = await importViaApi(target, readFileRecords(file), { mapFile: join(work, 'api.map.ndjson'), concurrency });
  row('import through the API (file -> CreateCase)', seconds(t), `${api.created.cases} cases`);
}

console.log(`Portability benchmark: ${manifest.cases.toLocaleString('en')} cases (bench/seed.ts: ~25 values each, no related items or audit), concurrency ${concurrency}`);
console.log(`machine: ${cpus().length} cores, ${cpus()[0].model}, node ${process.version}\n`);
console.log(`| step | time | rate | |\n|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
rmSync(work, { recursive: true, force: true });
process.exit(0);
