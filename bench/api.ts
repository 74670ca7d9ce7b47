/**
 * Throughput and latency of the HTTP API against the ceiling of Node + SQLite on the same machine:
 *   npm run bench:api -- [--cases 100000] [--concurrency 4] [--seconds 15] [--only CreateCase,GetCase] [--profile]
 *                           [--ceiling append|indexed|store[,…]] [--ceiling-commit group|per-request] [--database-url postgres://…]
 *
 * 1. Seeds a domain of --cases cases once with bench/seed.ts and keeps it under --dir; every run starts from
 *    a copy. bench/ceiling.ts gets a copy of the same cases.
 * 2. Counts the SQLite statements opencases executes per operation (better-sqlite3's `verbose` hook on an
 *    in-process server over the copy) and hands those counts to the ceiling server. `--ceiling indexed` runs the
 *    like-for-like ceiling, which keeps the same search entries with its statements (bench/ceiling.ts);
 *    `--ceiling store` runs opencases' own store behind the bare server instead (bench/ceiling-store.ts). A list
 *    (`--ceiling append,indexed,store`) runs several ceiling servers in the same rounds, so that their ratios come
 *    from the same minutes of this machine rather than from runs apart.
 * 3. Starts `opencases serve` in strict mode (a credentials file: every request's SigV4 signature is verified)
 *    and the ceiling server, each as a process of its own, and drives each workload against both in turn from
 *    a third process (bench/load.ts) at a fixed concurrency. The load generator signs its requests before the
 *    timed part; see bench/load.ts.
 * 4. Prints requests/s, p50 and p99 per workload for both, the ratio, and the server's peak RSS. With
 *    --profile the opencases server runs under `node --cpu-prof`, the top of its profile is printed and its
 *    collapsed stacks are written for bench/flamegraph.ts.
 * 5. With --database-url (any database URL of a PostgreSQL server, e.g. the one `npm run bench:postgres` runs),
 *    a third server runs on PostgreSQL: the same cases are seeded once into database `bench_seed_N` on that
 *    server, copied to `bench_run` for each run, and every workload runs against it in the same rounds.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startServer } from '../src/server.js';
import { BENCH_ACCESS_KEY, type BenchManifest } from './search-domain.js';
import { cloneDatabase, siblingDatabase } from './postgres.js';
import { type CeilingKind, type CeilingPlan, type StatementPlan, ceilingFile, prepareCeilingData, statementKind } from './ceiling.js';
import { foldStacks } from './flamegraph.js';
import { MIX, percentile, prng, requestBodies, send, signer, type LoadJob, type LoadResult, type Operation, type Target, type Workload } from './load.js';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATIONS: Operation[] = ['CreateCase', 'GetCase', 'UpdateCase', 'SearchCases'];
const WORKLOADS: Workload[] = ['CreateCase', 'GetCase', 'UpdateCase', 'Mixed'];
/** The seeded domain belongs to this account (bench/seed.ts creates it in dev mode with it as access key). */
const ACCOUNT = BENCH_ACCESS_KEY;
const CREDENTIAL = { accessKeyId: 'AKIDOPENCASESBENCH', secretAccessKey: 'opencases-bench-secret-key', accountId: ACCOUNT };

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    dir: { type: 'string', default: '/tmp/opencases-bench-api' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
    ceiling: { type: 'string', default: 'append' },
    'ceiling-commit': { type: 'string', default: 'group' },
    'database-url': { type: 'string' },
  },
});
const CASES = Number(args.cases);
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const DIR = resolve(args.dir!);
const CEILING_KINDS: CeilingKind[] = ['append', 'indexed', 'store'];
/** The ceiling servers of this run, in the order given; the first is the one PostgreSQL's ratio is taken against. */
const CEILINGS = args.ceiling!.split(',') as CeilingKind[];
const CEILING_COMMIT = args['ceiling-commit']!;
const CEILING_LABEL: Record<CeilingKind, string> = {
  append: "append: the issue's ceiling",
  indexed: 'indexed: the same search entries',
  store: "store: opencases' own store",
};
const DATABASE_URL = args['database-url'];
if (!CEILINGS.every((k) => CEILING_KINDS.includes(k)) || new Set(CEILINGS).size !== CEILINGS.length) {
  throw new Error('--ceiling takes append, indexed or store, or a list of them without repeats (append,indexed,store)');
}
if (CEILINGS.includes('store') && CEILING_COMMIT !== 'group') throw new Error('the store ceiling commits as opencases does: --ceiling-commit group only');
if (CEILING_COMMIT !== 'group' && CEILING_COMMIT !== 'per-request') throw new Error('--ceiling-commit takes group or per-request');
const workloads = args.only ? (args.only.split(',') as Workload[]) : WORKLOADS;
for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`--only takes ${WORKLOADS.join(', ')}`);

const log = (text: string) => process.stderr.write(`${text}\n`);

function node(script: string, argv: string[], opts: { execArgv?: string[]; stdout?: 'inherit' | number } = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.execArgv ?? []), '--import', 'tsx', script, ...argv], {
    cwd: ROOT,
    stdio: ['ignore', opts.stdout ?? 'inherit', 'inherit'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(endpoint: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before answering`);
    try {
      if ((await fetch(`${endpoint}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${endpoint} did not answer /health within 60 s`);
}

/** Seeds once per case count (bench/seed.ts) and prepares each ceiling's copy of the same cases. */
async function seeded(): Promise<{ seedDir: string; ceilingSeedDirs: Record<CeilingKind, string>; manifest: BenchManifest }> {
  const seedDir = join(DIR, `seed-${CASES}`);
  const manifestFile = join(seedDir, 'bench-domain.json');
  if (!existsSync(manifestFile)) {
    rmSync(seedDir, { recursive: true, force: true });
    log(`seeding ${CASES} cases into ${seedDir} (once; later runs reuse it)`);
    const code = await exited(node('bench/seed.ts', ['--cases', String(CASES), '--data-dir', seedDir]));
    if (code !== 0) throw new Error(`bench/seed.ts failed with code ${code}`);
  }
  const ceilingSeedDirs = {} as Record<CeilingKind, string>;
  for (const kind of CEILINGS) {
    // The store ceiling serves a copy of opencases' own seed.
    if (kind === 'store') {
      ceilingSeedDirs[kind] = seedDir;
      continue;
    }
    const dir = (ceilingSeedDirs[kind] = join(DIR, kind === 'append' ? `ceiling-seed-${CASES}` : `ceiling-${kind}-seed-${CASES}`));
    if (!existsSync(ceilingFile(dir))) {
      log(`copying the seeded cases for the ${kind} ceiling server`);
      rmSync(dir, { recursive: true, force: true });
      prepareCeilingData(dir, join(seedDir, 'opencases.db'), kind);
    }
  }
  return { seedDir, ceilingSeedDirs, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) };
}

/** Seeds the same cases into PostgreSQL once (database bench_seed_N) and returns a fresh copy of them for this run. */
async function seededPostgres(serverUrl: string): Promise<{ databaseUrl: string; manifest: BenchManifest }> {
  const seedDir = join(DIR, `pg-seed-${CASES}`);
  const seedUrl = siblingDatabase(serverUrl, `bench_seed_${CASES}`);
  const manifestFile = join(seedDir, 'bench-domain.json');
  const seededHere = existsSync(manifestFile) && (JSON.parse(readFileSync(manifestFile, 'utf8')) as BenchManifest).databaseUrl === seedUrl;
  if (!seededHere) {
    log(`seeding ${CASES} cases into PostgreSQL ${seedUrl.replace(/\/\/[^@]*@/, '//')} (once; later runs reuse it)`);
    await cloneDatabase(siblingDatabase(serverUrl, 'template0'), seedUrl);
    const code = await exited(node('bench/seed.ts', ['--cases', String(CASES), '--data-dir', seedDir, '--database-url', seedUrl]));
    if (code !== 0) throw new Error(`bench/seed.ts failed with code ${code}`);
  }
  const databaseUrl = siblingDatabase(serverUrl, 'bench_run');
  await cloneDatabase(seedUrl, databaseUrl);
  return { databaseUrl, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) };
}

async function samplePostgresCaseIds(databaseUrl: string, domainId: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT case_id FROM cases WHERE domain_id = $1 ORDER BY random() LIMIT $2', [domainId, n]);
    return rows.map((r) => r.case_id as string);
  } finally {
    await client.end();
  }
}

function copyDb(from: string, to: string, file: string) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  copyFileSync(join(from, file), join(to, file));
}

function sampleCaseIds(dbFile: string, domainId: string, n: number): string[] {
  const db = new Database(dbFile, { readonly: true });
  const ids = (db.prepare('SELECT case_id FROM cases WHERE domain_id = ? ORDER BY random() LIMIT ?').all(domainId, n) as { case_id: string }[]).map(
    (r) => r.case_id,
  );
  db.close();
  return ids;
}

/**
 * Runs each operation a few times on an in-process server whose store traces every statement, and returns
 * per operation the transaction kind and the reads and writes per request.
 */
async function countStatements(dataDir: string, credentialsFile: string, target: Omit<Target, 'endpoint'>): Promise<{ plan: CeilingPlan; listing: string[] }> {
  let trace: string[] = [];
  const store = new SqliteStore({ dataDir, verbose: (sql) => trace.push(sql), textIndexDelayMs: false });
  const server = await startServer({ store, credentialsFile, port: 0, logLevel: 'silent' });
  const t: Target = { ...target, endpoint: server.endpoint };
  const bodies = requestBodies(t, prng(7));
  const sign = signer(t);
  const endpoint = new URL(t.endpoint);
  const plan = {} as CeilingPlan;
  const listing: string[] = [];
  const rounds = 20;
  for (const op of OPERATIONS) {
    trace = [];
    for (let i = 0; i < rounds; i++) {
      const r = await send(endpoint, undefined, await sign(op, bodies[op]()));
      if (r.status !== 200) log(`  ${op} answers ${r.status}: ${r.body.slice(0, 200)}`);
    }
    const begins = trace.filter((s) => s.startsWith('BEGIN'));
    // The text indexer's work for these writes (the server runs it shortly after them) counts as theirs.
    await store.indexAllText();
    // Transaction control (BEGIN, COMMIT, and the SAVEPOINT/RELEASE around each write of a group commit) is not counted.
    const body = trace.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(s));
    const reads = body.filter((s) => /^\s*SELECT/i.test(s)).length;
    const p: StatementPlan = {
      begin: begins.some((b) => b.includes('IMMEDIATE')) ? 'BEGIN IMMEDIATE' : 'BEGIN',
      reads: Math.round(reads / rounds),
      writes: Math.round((body.length - reads) / rounds),
    };
    plan[op] = p;
    const kinds = new Map<string, number>();
    for (const s of body) kinds.set(statementKind(s), (kinds.get(statementKind(s)) ?? 0) + 1);
    listing.push(`${op}: ${p.begin}, ${p.reads} reads, ${p.writes} writes, COMMIT (${(trace.length / rounds).toFixed(1)} statements per request)`);
    for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) listing.push(`    ${(n / rounds).toFixed(1).padStart(5)} × ${k}`);
  }
  await server.close();
  await store.close();
  return { plan, listing };
}

/** Peak resident set size of a process, sampled every 250 ms while `during` runs. */
async function peakRss<T>(pid: number, during: Promise<T>): Promise<{ result: T; rssMb: number }> {
  let peak = 0;
  const sample = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {
      // the process is gone
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  try {
    const result = await during;
    sample();
    return { result, rssMb: peak / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** CPU time (user + system, all threads) the process has used so far, in ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    // The fields after the command name (which may hold spaces) start with the state; utime and stime are 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** Linux's USER_HZ, the unit of /proc/PID/stat's CPU times: 100 on every common architecture. */
const CLOCK_TICKS = 100;

/**
 * Runs one phase in a load process. With `serverPid`, also measures the server's CPU time over the measured
 * part of the phase: on a shared machine the CPU a server spends per request drifts far less than its
 * throughput, which makes it the steadier figure for comparing two builds.
 */
function runLoadProcess(job: LoadJob, label: string, serverPid?: number): Promise<Phase> {
  return new Promise((resolve, reject) => {
    const child = fork(join(ROOT, 'bench/load.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT });
    let cpuFrom: number | undefined;
    let serverCpuMs: number | undefined;
    child.on('message', (m: { progress?: string; result?: LoadResult; error?: string; mark?: 'start' | 'end' }) => {
      if (m.progress) log(`  [${label}] ${m.progress}`);
      if (m.mark === 'start' && serverPid) cpuFrom = cpuMs(serverPid);
      if (m.mark === 'end' && serverPid && cpuFrom !== undefined) serverCpuMs = (cpuMs(serverPid) ?? NaN) - cpuFrom;
      if (m.result) resolve({ ...m.result, serverCpuMs });
      if (m.error) reject(new Error(m.error));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`the load generator exited with code ${code}`)));
    child.send(job);
  });
}

/** A phase's result, with the server's CPU over its measured part and what the server did after it (settle). */
type Phase = LoadResult & { serverCpuMs?: number; afterSeconds?: number; afterCpuMs?: number };

const SETTLE_WINDOW_MS = 500;
/** A server is quiet once a window takes less than this share of a core. */
const QUIET_SHARE = 0.05;
const SETTLE_MAX_MS = 120_000;

/**
 * Waits until a server is quiet after its phase. What it still does then (the text index catching up on the
 * phase's writes, checkpoints) is work its requests left: without the wait it would run during the next server's
 * phase, taking that server's CPU and none of its own figures. Returns how long it stayed busy (the quiet window
 * left out) and the CPU it used meanwhile.
 */
async function settle(pid: number): Promise<{ seconds: number; cpuMs: number }> {
  const started = performance.now();
  const from = cpuMs(pid) ?? 0;
  let last = from;
  for (;;) {
    await new Promise((r) => setTimeout(r, SETTLE_WINDOW_MS));
    const now = cpuMs(pid);
    if (now === undefined) break;
    const quiet = now - last < QUIET_SHARE * SETTLE_WINDOW_MS;
    last = now;
    if (quiet || performance.now() - started > SETTLE_MAX_MS) break;
  }
  return { seconds: Math.max(0, performance.now() - started - SETTLE_WINDOW_MS) / 1000, cpuMs: last - from };
}

/** Server CPU per measured request in µs, over the phases that measured it. */
function cpuPerRequest(parts: Phase[]): number {
  const measured = parts.filter((p) => p.serverCpuMs !== undefined);
  return (1000 * measured.reduce((sum, p) => sum + p.serverCpuMs!, 0)) / measured.reduce((sum, p) => sum + p.requests, 0);
}

/** The rounds of one server and workload as one result. */
function merge(parts: LoadResult[]): LoadResult {
  const latencies = parts.flatMap((p) => p.latencies);
  const sorted = Float64Array.from(latencies).sort();
  const seconds = parts.reduce((sum, p) => sum + p.seconds, 0);
  const errors: LoadResult['errors'] = {};
  const byOperation: LoadResult['byOperation'] = {};
  for (const p of parts) {
    for (const [k, e] of Object.entries(p.errors)) errors[k] = { count: (errors[k]?.count ?? 0) + e.count, example: e.example };
    for (const [op, n] of Object.entries(p.byOperation) as [Operation, number][]) byOperation[op] = (byOperation[op] ?? 0) + n;
  }
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    latencies,
    errors,
    byOperation,
    exhausted: parts.some((p) => p.exhausted),
    signMs: parts.reduce((sum, p) => sum + p.signMs, 0),
  };
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** The servers of a run: opencases, each ceiling by its kind, and opencases on PostgreSQL. */
type Server = 'opencases' | CeilingKind | 'postgres';
const isCeiling = (server: Server): server is CeilingKind => (CEILING_KINDS as Server[]).includes(server);
const serverName = (server: Server) => (isCeiling(server) ? `${server} ceiling` : server === 'postgres' ? 'PostgreSQL' : server);

interface Row {
  workload: Workload;
  statements: string;
  results: Partial<Record<Server, LoadResult>>;
  rssMb: Partial<Record<Server, number>>;
  /** Server CPU time per measured request, µs. */
  cpuUs: Partial<Record<Server, number>>;
  /**
   * Per round, opencases' (and PostgreSQL's) requests/s against each ceiling's in the same round, %: how far this
   * machine's drift moves the ratio. Keyed `opencases/append`, `postgres/append`, ….
   */
  roundRatios: Record<string, number[]>;
  /**
   * What the server did after its phases (settle): seconds busy, CPU per measured request (µs), and the requests a
   * second it would sustain had that work been done within the phase: requests / (phase + busy after) seconds.
   */
  after: Partial<Record<Server, { seconds: number; cpuUs: number; sustained: number }>>;
}

/** One group of columns per ceiling (its req/s, p50, p99 and opencases' ratio to it), and PostgreSQL's after them. */
function table(rows: Row[]): string {
  const withPostgres = rows.some((r) => r.results.postgres);
  const header =
    '| workload | statements/request | opencases req/s | p50 ms | p99 ms | server RSS MB |' +
    CEILINGS.map((k) => ` ${k} ceiling req/s | p50 ms | p99 ms | ratio |`).join('') +
    (withPostgres ? ' PostgreSQL req/s | p50 ms | p99 ms | ratio | server RSS MB |' : '');
  const lines = [header, '|---|' + '---:|'.repeat(header.split('|').length - 3)];
  for (const r of rows) {
    const cells = (x: LoadResult) => `${Math.round(x.perSecond)} | ${ms(x.p50)} | ${ms(x.p99)}`;
    const ratio = (x: LoadResult, kind: CeilingKind) => `${((100 * x.perSecond) / r.results[kind]!.perSecond).toFixed(0)}%`;
    const { opencases, postgres } = r.results;
    lines.push(
      `| ${r.workload} | ${r.statements} | ${cells(opencases!)} | ${Math.round(r.rssMb.opencases!)} |` +
        CEILINGS.map((k) => ` ${cells(r.results[k]!)} | ${ratio(opencases!, k)} |`).join('') +
        (postgres ? ` ${cells(postgres)} | ${ratio(postgres, CEILINGS[0])} | ${Math.round(r.rssMb.postgres!)} |` : ''),
    );
  }
  return lines.join('\n');
}

/** The top of a V8 CPU profile: self time by function and by area of the code, idle time left out. */
function profileSummary(file: string, fromMicros: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  // Start-up (module loading, migrations) is left out: only samples taken once the server answered count.
  let t = profile.startTime;
  profile.samples.forEach((s, i) => {
    t += profile.timeDeltas[i];
    if (t >= fromMicros) hits.set(s, (hits.get(s) ?? 0) + 1);
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  for (const [id, n] of hits) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += n;
    const where = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const name = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : '(native)'}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + n);
    byArea.set(area(functionName, where), (byArea.get(area(functionName, where)) ?? 0) + n);
  }
  const pct = (n: number) => `${((100 * n) / busy).toFixed(1)}%`;
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  return [
    '| area | self time |',
    '|---|---:|',
    ...top(byArea, 20).map(([k, n]) => `| ${k} | ${pct(n)} |`),
    '',
    '| function | self time |',
    '|---|---:|',
    ...top(byFunction, 30).map(([k, n]) => `| \`${k}\` | ${pct(n)} |`),
  ].join('\n');
}

function area(functionName: string, where: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 / native, unattributed';
  if (!where) return /^(run|get|all|exec|iterate|pragma|prepare)$/.test(functionName) ? 'SQLite (better-sqlite3 calls: statements, fsync at COMMIT)' : `native: ${functionName}`;
  if (where.includes('better-sqlite3')) return 'better-sqlite3 JS wrapper';
  if (where.includes('@smithy') || where.includes('@aws-crypto')) return 'SigV4 verification (@smithy/signature-v4)';
  if (where.includes('pino') || where.includes('sonic-boom')) return 'request log (pino)';
  if (where.includes('node_modules/')) return `dependency: ${where.split('node_modules/')[1].split('/').slice(0, 2).join('/')}`;
  if (where.startsWith('node:')) return /http|_http|net|stream|timers|events/.test(where) ? 'node:http, net, streams' : 'node internals (other)';
  if (where.startsWith('src/') || where.startsWith('model/')) return where.split('/').slice(0, 2).join('/');
  return where;
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  const { seedDir, ceilingSeedDirs, manifest } = await seeded();
  const runDir = join(DIR, 'run-opencases');
  copyDb(seedDir, runDir, 'opencases.db');
  const ceilingDirs = {} as Record<CeilingKind, string>;
  for (const kind of CEILINGS) {
    ceilingDirs[kind] = join(DIR, `run-ceiling-${kind}`);
    copyDb(ceilingSeedDirs[kind], ceilingDirs[kind], kind === 'store' ? 'opencases.db' : 'ceiling.db');
  }
  const credentialsFile = join(DIR, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ credentials: [CREDENTIAL] }));

  const base = {
    region: 'us-east-1',
    accessKeyId: CREDENTIAL.accessKeyId,
    secretAccessKey: CREDENTIAL.secretAccessKey,
    domainId: manifest.domainId,
    templateId: manifest.templateId,
    fields: manifest.fields,
    caseIds: sampleCaseIds(join(runDir, 'opencases.db'), manifest.domainId, 20_000),
  };
  log(`counting SQLite statements per operation (${manifest.cases} cases in the domain)`);
  const { plan, listing } = await countStatements(runDir, credentialsFile, base);
  for (const line of listing) log(line);

  const [port, postgresPort] = [await freePort(), await freePort()];
  const profileDir = join(DIR, 'profile');
  let profileFrom = 0;
  rmSync(profileDir, { recursive: true, force: true });
  // The default log level (info, one line per request) is part of the cost. The lines are kept in a file, so that
  // an error a workload meets can be traced to what the server logged for it (reported after the run).
  const serverLogs = { opencases: join(DIR, 'opencases.log'), postgres: join(DIR, 'opencases-postgres.log') };
  const opencases = node('src/cli.ts', ['serve', '--port', String(port), '--data-dir', runDir, '--credentials', credentialsFile], {
    execArgv: args.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    stdout: openSync(serverLogs.opencases, 'w'),
  });
  const postgresRun = DATABASE_URL ? await seededPostgres(DATABASE_URL) : undefined;
  const postgres = postgresRun
    ? node('src/cli.ts', ['serve', '--port', String(postgresPort), '--database-url', postgresRun.databaseUrl, '--credentials', credentialsFile], {
        stdout: openSync(serverLogs.postgres, 'w'),
      })
    : undefined;
  const processes: Partial<Record<Server, ChildProcess>> = { opencases };
  const targets: Partial<Record<Server, Target>> = { opencases: { ...base, endpoint: `http://127.0.0.1:${port}` } };
  for (const kind of CEILINGS) {
    const ceilingPort = await freePort();
    const dataDir = ceilingDirs[kind];
    processes[kind] =
      kind === 'store'
        ? node('bench/ceiling-store.ts', ['--data-dir', dataDir, '--port', String(ceilingPort), '--account', ACCOUNT])
        : node('bench/ceiling.ts', [
            '--data-dir',
            dataDir,
            '--port',
            String(ceilingPort),
            '--plan',
            JSON.stringify(plan),
            '--kind',
            kind,
            ...(CEILING_COMMIT === 'per-request' ? ['--per-request-commit'] : []),
          ]);
    targets[kind] = { ...base, endpoint: `http://127.0.0.1:${ceilingPort}` };
  }
  if (postgres) processes.postgres = postgres;
  const servers = Object.keys(processes) as Server[];
  try {
    if (postgresRun) {
      const m = postgresRun.manifest;
      const caseIds = await samplePostgresCaseIds(postgresRun.databaseUrl, m.domainId, 20_000);
      targets.postgres = { ...base, domainId: m.domainId, templateId: m.templateId, fields: m.fields, caseIds, endpoint: `http://127.0.0.1:${postgresPort}` };
    }
    await Promise.all(servers.map((server) => waitForHealth(targets[server]!.endpoint, processes[server]!)));
    // V8 profiles are stamped with the monotonic clock that hrtime reads.
    profileFrom = Number(process.hrtime.bigint() / 1000n);
    const rows: Row[] = [];
    for (const workload of workloads) {
      const parts: Partial<Record<Server, Phase[]>> = {};
      const rssMb: Partial<Record<Server, number>> = {};
      // Alternating short phases: the machine's background load drifts, and every server should see the same.
      for (let round = 0; round < ROUNDS; round++) {
        for (const server of servers) {
          const seconds = SECONDS / ROUNDS;
          const job: LoadJob = {
            target: targets[server]!,
            workload,
            concurrency: CONCURRENCY,
            warmupSeconds: WARMUP,
            seconds,
            // Enough distinct writes for ~3000 writes/s; a phase that runs out ends early and says so.
            writePool: workload === 'GetCase' ? 0 : Math.ceil(3000 * (seconds + WARMUP) * (workload === 'Mixed' ? 0.35 : 1)),
            readPool: 5000,
            seed: 1000 * (WORKLOADS.indexOf(workload) + 1) + 10 * round + servers.indexOf(server) + 1,
          };
          const label = `${workload} → ${server} ${round + 1}/${ROUNDS}`;
          log(`${label}: signing, then ${WARMUP} s warm-up and ${seconds.toFixed(1)} s at concurrency ${CONCURRENCY}`);
          const run = runLoadProcess(job, label, processes[server]!.pid);
          const { result, rssMb: rss } = isCeiling(server) ? { result: await run, rssMb: 0 } : await peakRss(processes[server]!.pid!, run);
          rssMb[server] = Math.max(rssMb[server] ?? 0, rss);
          (parts[server] ??= []).push(result);
          log(
            `  [${label}] ${Math.round(result.perSecond)} req/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms` +
              `${result.exhausted ? ' (signed writes used up: phase ended early)' : ''} (signed in ${(result.signMs / 1000).toFixed(1)} s)` +
              `${result.serverCpuMs !== undefined ? `, server CPU ${((1000 * result.serverCpuMs) / result.requests).toFixed(0)} µs/request` : ''}`,
          );
          for (const [key, e] of Object.entries(result.errors)) log(`  [${label}] ${e.count} × ${key}: ${e.example}`);
          const after = await settle(processes[server]!.pid!);
          result.afterSeconds = after.seconds;
          result.afterCpuMs = after.cpuMs;
          log(`  [${label}] busy ${after.seconds.toFixed(1)} s after its load, ${((1000 * after.cpuMs) / result.requests).toFixed(0)} µs of CPU a request`);
        }
      }
      const results = Object.fromEntries(servers.map((server) => [server, merge(parts[server]!)]));
      const statements =
        workload === 'Mixed'
          ? MIX.reduce((sum, [op, share]) => sum + share * (2 + plan[op].reads + plan[op].writes), 0).toFixed(1)
          : String(2 + plan[workload].reads + plan[workload].writes);
      const cpuUs = Object.fromEntries(servers.map((server) => [server, cpuPerRequest(parts[server]!)]));
      const roundRatios: Row['roundRatios'] = {};
      for (const server of servers.filter((x) => !isCeiling(x))) {
        for (const kind of CEILINGS) roundRatios[`${server}/${kind}`] = parts[server]!.map((p, i) => (100 * p.perSecond) / parts[kind]![i].perSecond);
      }
      const after = Object.fromEntries(
        servers.map((server) => {
          const ps = parts[server]!;
          const sum = (f: (p: Phase) => number) => ps.reduce((n, p) => n + f(p), 0);
          const requests = sum((p) => p.requests);
          const seconds = sum((p) => p.afterSeconds ?? 0);
          return [server, { seconds, cpuUs: (1000 * sum((p) => p.afterCpuMs ?? 0)) / requests, sustained: requests / (sum((p) => p.requests / p.perSecond) + seconds) }];
        }),
      );
      rows.push({ workload, statements, results, rssMb, cpuUs, roundRatios, after });
    }
    const commit = CEILING_COMMIT === 'group' ? 'group commit' : 'one commit per request';
    console.log(
      `\nopencases (strict SigV4, SQLite WAL synchronous=FULL) vs the Node + SQLite ceiling${CEILINGS.length > 1 ? 's' : ''} ` +
        `(${CEILINGS.map((k) => CEILING_LABEL[k]).join('; ')}; ${commit})` +
        `${postgres ? ` and opencases on PostgreSQL (fsync on; ratio against the ${CEILINGS[0]} ceiling)` : ''}; ` +
        `${manifest.cases} cases, concurrency ${CONCURRENCY}, ${SECONDS} s per workload and server in ${ROUNDS} rounds\n`,
    );
    console.log(table(rows));
    const percent = (x: number, of: number) => `${((100 * x) / of).toFixed(0)}%`;
    console.log('\nServer CPU per request (user + system time of the server process over the measured parts, all threads):');
    for (const r of rows) {
      const cpu = r.cpuUs;
      const ceilings = CEILINGS.map((k) => `${k} ceiling ${cpu[k]!.toFixed(0)} µs (ceiling/opencases ${percent(cpu[k]!, cpu.opencases!)})`);
      console.log(
        `${r.workload}: opencases ${cpu.opencases!.toFixed(0)} µs, ${ceilings.join(', ')}` + (cpu.postgres !== undefined ? `, PostgreSQL ${cpu.postgres.toFixed(0)} µs` : ''),
      );
    }
    console.log(
      '\nWork left after the phases (the server busy after its load stopped, until quiet: the text index catching up, checkpoints; ' +
        "the warm-up's share included), and the requests a second each server sustains with it done: requests / (phase + busy after):",
    );
    for (const r of rows) {
      const part = (server: Server) => {
        const a = r.after[server]!;
        return `${serverName(server)} ${a.seconds.toFixed(1)} s, ${a.cpuUs.toFixed(0)} µs a request (${(r.cpuUs[server]! + a.cpuUs).toFixed(0)} µs in all), ${Math.round(a.sustained)} req/s sustained`;
      };
      const sustained = CEILINGS.map((k) => `against the ${k} ceiling ${percent(r.after.opencases!.sustained, r.after[k]!.sustained)}`);
      console.log(`${r.workload}: ${servers.map(part).join('; ')}; ratio sustained ${sustained.join(', ')}`);
    }
    console.log("\nRatio in each round (requests/s against the ceiling's phase of the same round):");
    for (const r of rows) {
      const rounds = (key: string) => r.roundRatios[key].map((x) => `${x.toFixed(0)}%`).join(', ');
      const against = (server: Server) => CEILINGS.map((k) => `${serverName(server)} against the ${k} ceiling ${rounds(`${server}/${k}`)}`);
      console.log(`${r.workload}: ${[...against('opencases'), ...(r.results.postgres ? against('postgres') : [])].join('; ')}`);
    }
    console.log('\nStatements per request, counted with better-sqlite3 verbose (BEGIN and COMMIT included in the table):');
    for (const line of listing) console.log(line);
    if (args.json) {
      const strip = (r: LoadResult) => ({ ...r, latencies: undefined });
      const summary = rows.map((r) => ({ ...r, results: Object.fromEntries(Object.entries(r.results).map(([k, v]) => [k, strip(v)])) }));
      writeFileSync(args.json, JSON.stringify({ concurrency: CONCURRENCY, seconds: SECONDS, cases: manifest.cases, ceilings: CEILINGS, plan, rows: summary }, null, 2));
    }
  } finally {
    for (const child of Object.values(processes)) child.kill('SIGTERM');
    await Promise.all(Object.values(processes).map(exited));
    for (const file of postgres ? Object.values(serverLogs) : [serverLogs.opencases]) reportLoggedProblems(file);
  }
  if (args.profile) {
    // Each thread writes a profile (tsx's module loader and the store's checkpointer too), all of about the same
    // size; Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, and the main thread's id is 0.
    const files = existsSync(profileDir) ? readdirSync(profileDir).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : [];
    if (!files.length) throw new Error(`no CPU profile in ${profileDir}`);
    console.log(`\nCPU profile of the opencases server (${join(profileDir, files[0])}), self time of the busy (non-idle) samples:\n`);
    console.log(profileSummary(join(profileDir, files[0]), profileFrom));
    const stacks = join(profileDir, 'stacks.folded');
    writeFileSync(stacks, foldStacks(JSON.parse(readFileSync(join(profileDir, files[0]), 'utf8')), profileFrom, ROOT));
    console.log(`\nCollapsed stacks of the same samples: ${stacks} (a flame graph: npx tsx bench/flamegraph.ts ${stacks} OUT.png)`);
  }
}

/**
 * Prints how many warning and error lines (pino level 40 and above) a server logged, and the first of them. Warnings
 * count: a failing background job (the text indexer, say) is reported as one, and leaves less work for the measured
 * requests, so figures taken meanwhile flatter the server.
 */
function reportLoggedProblems(file: string): void {
  const problems = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{') && (JSON.parse(line) as { level?: number }).level! >= 40);
  console.log(`\n${file}: ${problems.length} warning or error line(s)${problems.length ? `; the first:\n${problems[0]}` : ''}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
