/**
 * The long form of the reliability proofs: crash cycles, spec-driven fuzzing, the strict-mode auth matrix and a
 * soak under mixed load. Prints progress while it runs and one results table at the end; exits non-zero when a
 * guarantee fails (lost writes, 5xx, failed auth cases, RSS growth over 10% after warm-up, a WAL that is not
 * restarted).
 *
 *   npm run reliability -- [--cycles 20] [--fuzz 20000] [--soak-minutes 10] [--seed N]
 */
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConnectCasesClient,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateTemplateCommand,
  GetCaseCommand,
  SearchCasesCommand,
  UpdateCaseCommand,
} from '@aws-sdk/client-connectcases';
import { runCrashCycles, spawnServer } from '../test/support/crash.js';
import { runFuzz } from '../test/support/fuzz.js';
import { seedFuzzTargets } from '../test/support/fuzz-targets.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    fuzz: { type: 'string', default: '20000' },
    'soak-minutes': { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
  },
});
const seed = Number(values.seed);
const log = (line: string) => process.stderr.write(`[reliability] ${line}\n`);
const rows: [string, string, boolean][] = [];

const client = (endpoint: string) =>
  new ConnectCasesClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSOAK', secretAccessKey: 'x' }, maxAttempts: 1 });

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
/** The size of the store's WAL file in MB (0 when there is none). */
const walMb = (dataDir: string) => {
  try {
    return statSync(join(dataDir, 'opencases.db-wal')).size / 1048576;
  } catch {
    return 0;
  }
};

async function crash() {
  log(`crash: ${values.cycles} SIGKILL cycles (seed ${seed})`);
  const r = await runCrashCycles({ cycles: Number(values.cycles), seed, log });
  rows.push(['crash cycles', String(r.cycles), r.cycles === Number(values.cycles)]);
  rows.push(['acknowledged writes', String(r.acknowledgedWrites), r.acknowledgedWrites > 0]);
  rows.push(['lost writes (must be 0)', String(r.lostWrites.length), r.lostWrites.length === 0]);
  rows.push(['audit replay mismatches (must be 0)', String(r.auditMismatches.length), r.auditMismatches.length === 0]);
  rows.push(['search mismatches after restart (must be 0)', String(r.searchMismatches.length), r.searchMismatches.length === 0]);
  rows.push(['half-written cases (must be 0)', String(r.halfWritten.length), r.halfWritten.length === 0]);
  rows.push(['SQLite integrity check', r.integrity, r.integrity === 'ok']);
  for (const line of [...r.lostWrites, ...r.auditMismatches, ...r.searchMismatches, ...r.halfWritten].slice(0, 10)) log(`  ${line}`);
}

async function fuzz() {
  const dir = mkdtempSync(join(tmpdir(), 'opencases-fuzz-'));
  const server = await spawnServer(dir, ['--quota', 'domainsPerAccount=1000']);
  try {
    const ids = await seedFuzzTargets(client(server.endpoint));
    const total = Number(values.fuzz);
    log(`fuzz: ${total} requests (seed ${seed})`);
    let done = 0;
    const batches = 10;
    let serverErrors = 0;
    const violations: string[] = [];
    for (let b = 0; b < batches; b++) {
      const run = await runFuzz(server.endpoint, ids, Math.ceil(total / batches), seed + b);
      done += run.requests;
      serverErrors += run.serverErrors;
      violations.push(...run.violations);
      log(`  fuzz ${done}/${total}: ${serverErrors} 5xx, ${violations.length} violations`);
    }
    const alive = (await fetch(`${server.endpoint}/health`)).status === 200 && server.child.exitCode === null;
    rows.push(['fuzz requests', String(done), done >= total]);
    rows.push(['fuzz 5xx (must be 0)', String(serverErrors), serverErrors === 0]);
    rows.push(['fuzz contract violations (must be 0)', String(violations.length), violations.length === 0]);
    rows.push(['server alive after fuzzing', String(alive), alive]);
    for (const v of violations.slice(0, 10)) log(`  ${v}`);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function auth() {
  log('auth: the strict-mode matrix (test/auth.test.ts)');
  const out = await new Promise<string>((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', '--test', 'test/auth.test.ts'], { maxBuffer: 16 << 20 }, (_e, stdout) => resolve(stdout)),
  );
  const pass = Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(out)?.[1] ?? 1);
  rows.push(['auth cases passed', `${pass}/${pass + fail}`, fail === 0 && pass > 0]);
}

async function soak() {
  const minutes = Number(values['soak-minutes']);
  if (minutes <= 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'opencases-soak-'));
  const server = await spawnServer(dir);
  const c = client(server.endpoint);
  try {
    const domainId = (await c.send(new CreateDomainCommand({ name: 'soak' }))).domainId!;
    const templateId = (await c.send(new CreateTemplateCommand({ domainId, name: 'soak' }))).templateId!;
    const caseIds: string[] = [];
    const create = async () => {
      const r = await c.send(new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: `soak ${caseIds.length}` } }] }));
      caseIds.push(r.caseId!);
    };
    for (let i = 0; i < 200; i++) await create();
    log(`soak: ${minutes} min of mixed load (60% GetCase, 20% UpdateCase, 15% CreateCase, 5% SearchCases)`);
    const perMinute: { n: number; errors: number; latencies: number[]; rss: number; wal: number }[] = [];
    const startRss = rssMb(server.child.pid!);
    const end = Date.now() + minutes * 60_000;
    let current = { n: 0, errors: 0, latencies: [] as number[], rss: 0, wal: 0 };
    const ticker = setInterval(() => {
      current.rss = rssMb(server.child.pid!);
      current.wal = walMb(dir);
      perMinute.push(current);
      const sorted = [...current.latencies].sort((a, b) => a - b);
      log(
        `  minute ${perMinute.length}: ${current.n} requests, ${current.errors} errors, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(1)} ms, ` +
          `RSS ${current.rss.toFixed(0)} MB, WAL ${current.wal.toFixed(0)} MB`,
      );
      current = { n: 0, errors: 0, latencies: [], rss: 0, wal: 0 };
    }, 60_000);
    const worker = async () => {
      while (Date.now() < end) {
        const roll = Math.random();
        const caseId = caseIds[Math.floor(Math.random() * caseIds.length)];
        const t0 = performance.now();
        try {
          if (roll < 0.6) await c.send(new GetCaseCommand({ domainId, caseId, fields: [{ id: 'title' }, { id: 'status' }] }));
          else if (roll < 0.8) await c.send(new UpdateCaseCommand({ domainId, caseId, fields: [{ id: 'summary', value: { stringValue: `s${t0}` } }] }));
          else if (roll < 0.95) await create();
          else await c.send(new SearchCasesCommand({ domainId, maxResults: 25 }));
        } catch {
          current.errors++;
        }
        current.n++;
        current.latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    clearInterval(ticker);
    const endRss = rssMb(server.child.pid!);
    const warm = perMinute[0]?.rss ?? startRss;
    const growth = ((endRss - warm) / warm) * 100;
    const errors = perMinute.reduce((a, m) => a + m.errors, 0) + current.errors;
    rows.push(['soak RSS start → after warm-up → end (MB)', `${startRss.toFixed(0)} → ${warm.toFixed(0)} → ${endRss.toFixed(0)} (${growth.toFixed(1)}%)`, growth < 10]);
    rows.push(['soak errors (must be 0)', String(errors), errors === 0]);
    // The checkpointer restarts the WAL at 64 MiB (src/store/sqlite/checkpointer.ts); one that never restarts grows
    // by gigabytes a minute under this load, and its index with it (that was the soak's RSS growth).
    const largestWal = Math.max(walMb(dir), ...perMinute.map((m) => m.wal));
    rows.push(['soak WAL file, largest at a minute mark (MB, < 128)', largestWal.toFixed(0), largestWal < 128]);
  } finally {
    c.destroy();
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = Date.now();
await crash();
await fuzz();
await auth();
await soak();
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nopencases reliability — seed ${seed}, ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
console.log(`| ${'check'.padEnd(width)} | result | ok |`);
console.log(`|${'-'.repeat(width + 2)}|--------|----|`);
for (const [name, result, ok] of rows) console.log(`| ${name.padEnd(width)} | ${result} | ${ok ? 'yes' : 'NO'} |`);
process.exit(rows.every((r) => r[2]) ? 0 : 1);
