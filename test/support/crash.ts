/**
 * Crash safety harness: a server on a file store under concurrent CreateCase / UpdateCase / CreateRelatedItem
 * load is killed with SIGKILL at random moments and restarted on the same data dir. After each restart:
 * every acknowledged write is present, each case's audit trail replays to its current values, and (at the
 * end, on the SQLite file itself) no case lacks its creation event and the integrity check passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import {
  ConnectCasesClient,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  SearchCasesCommand,
  SearchRelatedItemsCommand,
  UpdateCaseCommand,
  type AuditEvent,
} from '@aws-sdk/client-connectcases';
import { prng } from './fuzz.js';

const REPO = join(import.meta.dirname, '..', '..');

interface Server {
  child: ChildProcess;
  endpoint: string;
}

/**
 * Starts `opencases serve` as a child process on the data dir and waits for its listening line (logged at
 * info, so the level stays info; the reader keeps draining stdout so request logs never block the server).
 */
export async function spawnServer(dataDir: string, extraArgs: string[] = []): Promise<Server> {
  const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...extraArgs];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('server did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'opencases listening') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, endpoint: `http://127.0.0.1:${port}` };
}

const killHard = (s: Server) =>
  new Promise<void>((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });

interface CaseState {
  caseId: string;
  /** Last acknowledged summary, and the one whose request was in flight at the kill (if any). */
  acked: string;
  inflight?: string;
  comments: string[];
}

export interface CrashResult {
  cycles: number;
  acknowledgedWrites: number;
  lostWrites: string[];
  auditMismatches: string[];
  /** Cases that SearchCases does not find by their acknowledged summary after a restart (the search rows are batched). */
  searchMismatches: string[];
  halfWritten: string[];
  integrity: string;
}

export interface CrashOptions {
  cycles: number;
  writers?: number;
  /** Load runs this long (random in range, ms) before the kill. */
  runMs?: [number, number];
  seed?: number;
  log?: (line: string) => void;
}

const client = (endpoint: string) =>
  new ConnectCasesClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCRASH', secretAccessKey: 'x' }, maxAttempts: 1 });

async function allAudit(c: ConnectCasesClient, domainId: string, caseId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.send(new GetCaseAuditEventsCommand({ domainId, caseId, nextToken }));
    for (const e of page.auditEvents!) if (e) events.push(e);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function allRelatedIds(c: ConnectCasesClient, domainId: string, caseId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await c.send(new SearchRelatedItemsCommand({ domainId, caseId, nextToken }));
    for (const r of page.relatedItems!) if (r) ids.add(r.relatedItemId!);
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

const valueText = (v: any) => v?.stringValue ?? v?.doubleValue ?? v?.booleanValue ?? v?.userArnValue;

export async function runCrashCycles(opts: CrashOptions): Promise<CrashResult> {
  const rng = prng(opts.seed ?? 7);
  const log = opts.log ?? (() => undefined);
  const [minMs, maxMs] = opts.runMs ?? [300, 1200];
  const dataDir = mkdtempSync(join(tmpdir(), 'opencases-crash-'));
  const cases: CaseState[] = [];
  const result: CrashResult = { cycles: 0, acknowledgedWrites: 0, lostWrites: [], auditMismatches: [], searchMismatches: [], halfWritten: [], integrity: '' };
  let domainId = '';
  let templateId = '';
  let counter = 0;
  try {
    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      const server = await spawnServer(dataDir);
      const c = client(server.endpoint);
      if (cycle === 0) {
        domainId = (await c.send(new CreateDomainCommand({ name: 'crash' }))).domainId!;
        templateId = (await c.send(new CreateTemplateCommand({ domainId, name: 'crash' }))).templateId!;
      } else {
        await verify(c, domainId, cases, result);
      }
      let killed = false;
      const writer = async (w: number) => {
        const mine: CaseState[] = [];
        while (!killed) {
          const roll = rng.next();
          try {
            if (roll < 0.35 || mine.length === 0) {
              const summary = `s${++counter}`;
              const token = `w${w}-${counter}`;
              const res = await c.send(
                new CreateCaseCommand({
                  domainId,
                  templateId,
                  clientToken: token,
                  fields: [
                    { id: 'title', value: { stringValue: `crash ${token}` } },
                    { id: 'summary', value: { stringValue: summary } },
                  ],
                }),
              );
              const state = { caseId: res.caseId!, acked: summary, comments: [] };
              mine.push(state);
              cases.push(state);
              result.acknowledgedWrites++;
            } else if (roll < 0.8) {
              const state = rng.pick(mine);
              const summary = `s${++counter}`;
              state.inflight = summary;
              await c.send(new UpdateCaseCommand({ domainId, caseId: state.caseId, fields: [{ id: 'summary', value: { stringValue: summary } }] }));
              state.acked = summary;
              state.inflight = undefined;
              result.acknowledgedWrites++;
            } else {
              const state = rng.pick(mine);
              const res = await c.send(
                new CreateRelatedItemCommand({ domainId, caseId: state.caseId, type: 'Comment', content: { comment: { body: `c${++counter}`, contentType: 'Text/Plain' } } }),
              );
              state.comments.push(res.relatedItemId!);
              result.acknowledgedWrites++;
            }
          } catch (e) {
            if (!killed) throw e;
          }
        }
      };
      const load = Promise.all(Array.from({ length: opts.writers ?? 6 }, (_, w) => writer(w)));
      await new Promise((r) => setTimeout(r, rng.int(minMs, maxMs)));
      killed = true;
      await killHard(server);
      await load;
      c.destroy();
      result.cycles++;
      log(`cycle ${cycle + 1}/${opts.cycles}: ${result.acknowledgedWrites} acknowledged writes so far, ${cases.length} cases`);
    }
    // The last restart's verification, then the file itself.
    const server = await spawnServer(dataDir);
    const c = client(server.endpoint);
    await verify(c, domainId, cases, result);
    await killHard(server);
    c.destroy();
    inspectFile(join(dataDir, 'opencases.db'), result);
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Checks every acknowledged write and the audit replay of every case, through the API. */
async function verify(c: ConnectCasesClient, domainId: string, cases: CaseState[], result: CrashResult) {
  await Promise.all(
    cases.map(async (state) => {
      let got;
      try {
        got = await c.send(new GetCaseCommand({ domainId, caseId: state.caseId, fields: [{ id: 'title' }, { id: 'summary' }] }));
      } catch (e) {
        result.lostWrites.push(`case ${state.caseId}: ${(e as Error).name}`);
        return;
      }
      const summary = valueText(got.fields!.find((f) => f.id === 'summary')?.value);
      if (summary !== state.acked && summary !== state.inflight) {
        result.lostWrites.push(`case ${state.caseId}: summary ${summary}, acknowledged ${state.acked}`);
      }
      if (summary === state.inflight) state.acked = summary; // the in-flight write did commit
      state.inflight = undefined;
      // Summaries are unique: the search by the one the case holds finds it alone, whether its search rows were
      // written before the kill or again from the case row on this start.
      const found = await c.send(new SearchCasesCommand({ domainId, filter: { field: { equalTo: { id: 'summary', value: { stringValue: summary } } } } }));
      const foundIds = found.cases!.map((x) => x!.caseId);
      if (foundIds.length !== 1 || foundIds[0] !== state.caseId) {
        result.searchMismatches.push(`case ${state.caseId}: the search for summary ${summary} found [${foundIds.join(', ')}]`);
      }
      if (state.comments.length) {
        const present = await allRelatedIds(c, domainId, state.caseId);
        for (const id of state.comments) if (!present.has(id)) result.lostWrites.push(`comment ${id} of case ${state.caseId}`);
      }
      // Replay the audit trail oldest first: it must arrive at the current values.
      const events = (await allAudit(c, domainId, state.caseId)).sort((a, b) => a.performedTime!.getTime() - b.performedTime!.getTime());
      const replay: Record<string, unknown> = {};
      for (const e of events) {
        if (e.type !== 'Case.Created' && e.type !== 'Case.Updated') continue;
        for (const f of e.fields!) if (f) replay[f.eventFieldId!] = valueText(f.newValue);
      }
      for (const f of got.fields!) {
        if (replay[f.id!] !== valueText(f.value)) {
          result.auditMismatches.push(`case ${state.caseId} field ${f.id}: audit replays to ${replay[f.id!]}, case holds ${valueText(f.value)}`);
        }
      }
    }),
  );
}

/** Opens the SQLite file directly: integrity check, and no case row without its Case.Created audit row. */
function inspectFile(path: string, result: CrashResult) {
  const db = new Database(path, { readonly: true });
  try {
    result.integrity = db.pragma('integrity_check', { simple: true }) as string;
    const orphans = db
      .prepare(
        `SELECT c.case_id FROM cases c WHERE NOT EXISTS (
           SELECT 1 FROM audit_events a WHERE a.domain_id = c.domain_id AND a.case_id = c.case_id AND json_extract(a.event, '$.type') = 'Case.Created')`,
      )
      .all() as { case_id: string }[];
    result.halfWritten.push(...orphans.map((o) => `case ${o.case_id} has no Case.Created event`));
  } finally {
    db.close();
  }
}
