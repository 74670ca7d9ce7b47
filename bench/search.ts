/**
 * SearchCases benchmark against a domain filled by bench/seed.ts:
 *   npm run bench:search -- --data-dir /tmp/oc-bench [--runs 40] [--compare /tmp/oc-bench-pg] [--only status,tag]
 * Starts `opencases serve` on the data dir as a separate process, runs fixed query shapes through the SDK
 * (first page of 25, with totalCount) and prints p50/p95 per shape, next to one hand-written SQL query per
 * shape on the same database (the ceiling: the same page and count, computed in-process without HTTP) and
 * their ratio, then the server's resident memory. Each shape's page and count are checked against the ceiling.
 * --compare names a second seed of the same size (bench/seed.ts is deterministic, so it holds the same cases),
 * typically on PostgreSQL (seed --database-url): a second server runs on it, and its latencies are printed
 * beside the first's, its pages and counts checked against the same ceiling.
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { Agent } from 'node:http';
import Database from 'better-sqlite3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConnectCasesClient, GetDomainCommand, SearchCasesCommand, type SearchCasesCommandInput } from '@aws-sdk/client-connectcases';
import { BENCH_ACCESS_KEY, BENCH_REGION, type BenchManifest } from './search-domain.js';
import { TEXT_CASE_OF_ROWID } from '../src/store/sqlite/search-sql.js';

interface Shape {
  name: string;
  /** Target p95 in ms (docs/search.md). */
  target: number;
  input: Omit<SearchCasesCommandInput, 'domainId'>;
  /** One SQL query returning the page's case ids in order, each row with the total count. */
  ceiling: { sql: string; params: unknown[] };
}

const PAGE = 25;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function shapes(m: BenchManifest, fno: (fieldId: string) => number, dno: number): Shape[] {
  const F = m.fields;
  const byUpdated = 'ORDER BY sc.updated DESC, sc.cno DESC';
  const has = (f: string, cond: string) => `EXISTS (SELECT 1 FROM search_values v WHERE v.cno = sc.cno AND v.fno = ${fno(f)} AND ${cond})`;
  const dueFrom = '2026-01-01T00:00:00.000Z';
  const dueTo = '2026-01-08T00:00:00.000Z';
  const trigrams = (w: string) => Array.from({ length: w.length - 2 }, (_, i) => `"${w.slice(i, i + 3)}"`).join(' AND ');
  return [
    {
      name: 'equalTo status, default sort',
      target: 25,
      input: { filter: { field: { equalTo: { id: 'status', value: { stringValue: 'open' } } } } },
      ceiling: { sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_cases sc WHERE sc.dno = ? AND ${has('status', "v.s = 'open'")} ${byUpdated} LIMIT ${PAGE}`, params: [dno] },
    },
    {
      name: 'contains title',
      target: 25,
      input: { filter: { field: { contains: { id: 'title', value: { stringValue: 'printer' } } } } },
      ceiling: { sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_cases sc WHERE sc.dno = ? AND ${has('title', "v.s LIKE '%printer%'")} ${byUpdated} LIMIT ${PAGE}`, params: [dno] },
    },
    {
      name: 'number range, sort on number',
      target: 25,
      input: {
        filter: {
          andAll: [
            { field: { greaterThanOrEqualTo: { id: F.amount, value: { doubleValue: 1000 } } } },
            { field: { lessThan: { id: F.amount, value: { doubleValue: 1100 } } } },
          ],
        },
        sorts: [{ fieldId: F.priority, sortOrder: 'Desc' }],
      },
      ceiling: {
        sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_values a JOIN search_cases sc ON sc.cno = a.cno
          LEFT JOIN search_values p ON p.cno = a.cno AND p.fno = ${fno(F.priority)}
          WHERE a.fno = ${fno(F.amount)} AND a.n >= 1000 AND a.n < 1100 ORDER BY p.n IS NULL, p.n DESC, sc.cno DESC LIMIT ${PAGE}`,
        params: [],
      },
    },
    {
      name: 'DateTime range',
      target: 25,
      input: {
        filter: {
          andAll: [
            { field: { greaterThanOrEqualTo: { id: F.due_date, value: { stringValue: dueFrom } } } },
            { field: { lessThan: { id: F.due_date, value: { stringValue: dueTo } } } },
          ],
        },
      },
      ceiling: {
        sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_values a JOIN search_cases sc ON sc.cno = a.cno
          WHERE a.fno = ${fno(F.due_date)} AND a.s >= ? AND a.s < ? ${byUpdated} LIMIT ${PAGE}`,
        params: [dueFrom, dueTo],
      },
    },
    {
      name: 'nested and/or/not',
      target: 25,
      input: {
        filter: {
          andAll: [
            { orAll: [{ field: { equalTo: { id: F.severity, value: { stringValue: 'critical' } } } }, { field: { equalTo: { id: F.vip, value: { booleanValue: true } } } }] },
            { not: { field: { equalTo: { id: 'status', value: { stringValue: 'closed' } } } } },
            { field: { equalTo: { id: F.region, value: { stringValue: 'emea' } } } },
          ],
        },
      },
      ceiling: {
        sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_values r JOIN search_cases sc ON sc.cno = r.cno
          WHERE r.fno = ${fno(F.region)} AND r.s = 'emea' AND (${has(F.severity, "v.s = 'critical'")} OR ${has(F.vip, 'v.n = 1')})
          AND NOT ${has('status', "v.s = 'closed'")} ${byUpdated} LIMIT ${PAGE}`,
        params: [],
      },
    },
    {
      name: 'tag',
      target: 25,
      input: { filter: { tag: { equalTo: { key: 'team', value: 'alpha' } } } },
      ceiling: {
        sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_tags t JOIN search_cases sc ON sc.cno = t.cno
          WHERE t.dno = ? AND t.key = 'team' AND t.value = 'alpha' ${byUpdated} LIMIT ${PAGE}`,
        params: [dno],
      },
    },
    {
      name: 'searchTerm, two words',
      target: 100,
      input: { searchTerm: 'printer Berlin' },
      ceiling: {
        // A case's words may be in different text documents (one per changed value, docs/search.md): one look-up per word.
        sql: `SELECT sc.case_id, count(*) OVER () AS total FROM search_cases sc
          WHERE sc.dno = ? AND sc.cno IN (SELECT ${TEXT_CASE_OF_ROWID} FROM search_text WHERE search_text MATCH ?
            UNION ALL SELECT ${TEXT_CASE_OF_ROWID} FROM search_text_recent WHERE search_text_recent MATCH ?)
          AND sc.cno IN (SELECT ${TEXT_CASE_OF_ROWID} FROM search_text WHERE search_text MATCH ?
            UNION ALL SELECT ${TEXT_CASE_OF_ROWID} FROM search_text_recent WHERE search_text_recent MATCH ?)
          AND EXISTS (SELECT 1 FROM search_values v WHERE v.cno = sc.cno AND v.s LIKE '%printer%')
          AND EXISTS (SELECT 1 FROM search_values v WHERE v.cno = sc.cno AND v.s LIKE '%berlin%') ${byUpdated} LIMIT ${PAGE}`,
        params: [dno, trigrams('printer'), trigrams('printer'), trigrams('berlin'), trigrams('berlin')],
      },
    },
  ];
}

/** `opencases serve` on a seed: its PostgreSQL database when the manifest names one, else DIR's SQLite file. */
function serve(dataDir: string, manifest: BenchManifest, port: number) {
  const storage = manifest.databaseUrl ? ['--database-url', manifest.databaseUrl] : ['--data-dir', dataDir];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...storage, '--port', String(port), '--log-level', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  process.on('exit', () => child.kill('SIGTERM'));
  const client = new ConnectCasesClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: BENCH_REGION,
    credentials: { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: 'bench' },
    maxAttempts: 1,
    // A slow ceiling query can outlast the server's keep-alive timeout; a fresh connection per call avoids
    // sending on a socket the server has just closed.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: false }) }),
  });
  const send = (input: Omit<SearchCasesCommandInput, 'domainId'>) => client.send(new SearchCasesCommand({ domainId: manifest.domainId, maxResults: PAGE, ...input }));
  const started = performance.now();
  /** Resolves with the seconds from spawning to the first answer, which waits for the server's warm-up. */
  const ready = async () => {
    for (let i = 0; ; i++) {
      try {
        await send({ maxResults: 1 });
        return (performance.now() - started) / 1000;
      } catch (e) {
        if (i > 300) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  return { child, client, send, ready, stop: () => child.kill('SIGTERM') };
}

type Served = ReturnType<typeof serve>;

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      runs: { type: 'string', default: '40' },
      port: { type: 'string', default: '4731' },
      compare: { type: 'string' },
      // Comma-separated parts of shape names, to run only those shapes (the ceilings of some take seconds a run).
      only: { type: 'string' },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir DIR is required: a directory seeded by `npm run seed`');
  const runs = Number(values.runs);
  const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'bench-domain.json'), 'utf8')) as BenchManifest;
  const manifest = readManifest(dataDir);
  if (manifest.databaseUrl) throw new Error(`${dataDir} was seeded into PostgreSQL: give it as --compare, with a SQLite seed as --data-dir (the ceiling's database)`);
  const compareManifest = values.compare ? readManifest(values.compare) : undefined;
  if (compareManifest && compareManifest.cases !== manifest.cases) throw new Error('--compare must name a seed of the same number of cases');

  const primary = serve(dataDir, manifest, Number(values.port));
  const second: Served | undefined = compareManifest && serve(values.compare!, compareManifest, Number(values.port) + 1);
  const [readyAfter] = await Promise.all([primary.ready(), second?.ready()]);
  const { client, send } = primary;

  const db = new Database(join(dataDir, 'opencases.db'), { readonly: true });
  const dno = (db.prepare('SELECT dno FROM search_domains WHERE domain_id = ?').get(manifest.domainId) as { dno: number }).dno;
  const fno = (fieldId: string) => (db.prepare('SELECT fno FROM search_fields WHERE dno = ? AND field_id = ?').get(dno, fieldId) as { fno: number }).fno;

  console.log(`SearchCases benchmark: ${manifest.cases.toLocaleString('en')} cases, ${runs} runs per shape, first page of ${PAGE}`);
  // Other work on the machine inflates latencies: the load average says how much there was.
  console.log(`machine: ${cpus().length} cores, ${cpus()[0].model}, node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
  console.log(`server answering ${readyAfter.toFixed(1)} s after it was started (including its warm-up of the search sets)\n`);
  const header = [
    'shape',
    'matches',
    'API 1st',
    'API p50',
    'API p95',
    ...(second ? ['2nd API p50', '2nd API p95'] : []),
    'SQL p50',
    'SQL p95',
    'p50 ratio',
    'target p95',
    'ok',
  ];
  const rows: string[][] = [];
  let mismatches = 0;
  // The second seed's shapes: the same queries, with its own field ids (its ceiling part is not used).
  const secondInputs = compareManifest ? shapes(compareManifest, () => 0, 0).map((s) => s.input) : [];
  const only = values.only?.split(',').map((part) => part.trim().toLowerCase());
  for (const [k, shape] of shapes(manifest, fno, dno).entries()) {
    if (only && !only.some((part) => shape.name.toLowerCase().includes(part))) continue;
    const stmt = db.prepare(shape.ceiling.sql);
    const api: number[] = [];
    let first = 0;
    const api2: number[] = [];
    const sql: number[] = [];
    let apiResult: Awaited<ReturnType<typeof send>> | undefined;
    let api2Result: Awaited<ReturnType<typeof send>> | undefined;
    let sqlResult: { case_id: string; total: number }[] = [];
    // Each side's runs back to back: a ceiling run reads hundreds of megabytes, which would otherwise leave every
    // following API run to start with cold CPU caches. The first runs of each side warm caches and JIT.
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      apiResult = await send(shape.input);
      const a = performance.now() - t0;
      if (i === 0) first = a;
      if (i >= 3) api.push(a);
    }
    for (let i = 0; second && i < runs + 3; i++) {
      const t0 = performance.now();
      api2Result = await second.send(secondInputs[k]);
      if (i >= 3) api2.push(performance.now() - t0);
    }
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      sqlResult = stmt.all(...shape.ceiling.params) as { case_id: string; total: number }[];
      if (i >= 3) sql.push(performance.now() - t0);
    }
    for (const [label, result] of [['API', apiResult], ['2nd API', api2Result]] as const) {
      if (!result) continue;
      const sameIds = JSON.stringify(result.cases!.map((c) => c!.caseId)) === JSON.stringify(sqlResult.map((r) => r.case_id));
      const sameCount = result.totalCount === (sqlResult[0]?.total ?? 0);
      if (!sameIds || !sameCount) {
        mismatches++;
        console.error(`MISMATCH in "${shape.name}": ${label} totalCount ${result.totalCount}, SQL ${sqlResult[0]?.total ?? 0}; same page: ${sameIds}`);
      }
    }
    api.sort((x, y) => x - y);
    api2.sort((x, y) => x - y);
    sql.sort((x, y) => x - y);
    const p95 = percentile(api, 95);
    rows.push([
      shape.name,
      String(apiResult!.totalCount),
      first.toFixed(1),
      percentile(api, 50).toFixed(1),
      p95.toFixed(1),
      ...(second ? [percentile(api2, 50).toFixed(1), percentile(api2, 95).toFixed(1)] : []),
      percentile(sql, 50).toFixed(1),
      percentile(sql, 95).toFixed(1),
      (percentile(api, 50) / percentile(sql, 50)).toFixed(2),
      `≤ ${shape.target}`,
      p95 <= shape.target ? 'yes' : 'no',
    ]);
  }
  // The fixed cost of one API call (SDK, SigV4, HTTP, JSON) on this machine, for reading the ratios.
  const fixed: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    await client.send(new GetDomainCommand({ domainId: manifest.domainId }));
    if (i >= 3) fixed.push(performance.now() - t0);
  }
  fixed.sort((x, y) => x - y);
  const { rss, peak } = rssOf(primary.child.pid!);
  const secondRss = second && rssOf(second.child.pid!);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\nlatencies in ms; API 1st = the shape's first run, before any warm-up run (p50 and p95 leave out 3 warm-up runs);`);
  console.log(`SQL = one hand-written query (page + count(*) OVER ()) in this process; ratio = API p50 / SQL p50`);
  if (second) console.log(`2nd API = the same searches on ${compareManifest!.databaseUrl ? 'PostgreSQL' : values.compare}, checked against the same ceiling`);
  console.log(`fixed cost of an API call (GetDomain): p50 ${percentile(fixed, 50).toFixed(1)} ms, p95 ${percentile(fixed, 95).toFixed(1)} ms`);
  console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);
  console.log(`server RSS after the run: ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB; target < 300 MB)`);
  if (secondRss) console.log(`2nd server RSS after the run: ${secondRss.rss.toFixed(0)} MB (peak ${secondRss.peak.toFixed(0)} MB)`);
  client.destroy();
  second?.client.destroy();
  db.close();
  primary.stop();
  second?.stop();
  if (mismatches) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
