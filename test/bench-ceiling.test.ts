/**
 * The ceilings of bench:api do the work their ratios assume. bench/ceiling.ts: per write, as many statements as the
 * plan says, and in the indexed kind the same search entries as opencases (value rows, update times, text
 * documents). bench/ceiling-store.ts: the very statements opencases runs for each request. A ceiling that silently
 * skipped part of that would make every ratio of bench:api wrong without anything failing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { type CeilingKind, type CeilingPlan, ceilingFile, prepareCeilingData, startCeiling, statementKind } from '../bench/ceiling.js';
import { startStoreCeiling } from '../bench/ceiling-store.js';
import { type Operation, prng, requestBodies, send, signer } from '../bench/load.js';
import { BENCH_ACCESS_KEY, type BenchManifest } from '../bench/search-domain.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startServer } from '../src/server.js';

const ROOT = join(import.meta.dirname, '..');
type Field = { id: string; value: { stringValue?: string; doubleValue?: number; booleanValue?: boolean } };
const PLAN: CeilingPlan = {
  CreateCase: { begin: 'BEGIN IMMEDIATE', reads: 6, writes: 21 },
  GetCase: { begin: 'BEGIN', reads: 1, writes: 0 },
  UpdateCase: { begin: 'BEGIN IMMEDIATE', reads: 7, writes: 17 },
  SearchCases: { begin: 'BEGIN', reads: 26, writes: 0 },
};

/** One seeded domain of 300 cases (bench/seed.ts) for both tests, in a directory removed after them. */
const dir = mkdtempSync(join(tmpdir(), 'oc-ceiling-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const seedDir = join(dir, 'seed');
execFileSync(process.execPath, ['--import', 'tsx', 'bench/seed.ts', '--cases', '300', '--data-dir', seedDir], { cwd: ROOT, stdio: 'ignore' });
const manifest = JSON.parse(readFileSync(join(seedDir, 'bench-domain.json'), 'utf8')) as BenchManifest;
const seedDb = new Database(join(seedDir, 'opencases.db'), { readonly: true });
const caseIds = (seedDb.prepare('SELECT case_id FROM cases ORDER BY case_id LIMIT 20').all() as { case_id: string }[]).map((r) => r.case_id);
seedDb.close();

test('the ceilings write what the plan and their kind say', async () => {
  for (const kind of ['append', 'indexed'] as CeilingKind[]) {
    const ceilingDir = join(dir, kind);
    prepareCeilingData(ceilingDir, join(seedDir, 'opencases.db'), kind);
    const server = startCeiling(ceilingDir, 0, PLAN, true, kind);
    await new Promise((resolve) => server.once('listening', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const bodies = requestBodies({ ...manifest, caseIds, endpoint, region: 'us-east-1', accessKeyId: 'x', secretAccessKey: 'x' }, prng(3));
    const call = async (r: { path: string; method: string; body: unknown }) => {
      const res = await fetch(endpoint + r.path, { method: r.method, body: JSON.stringify(r.body) });
      assert.equal(res.status, 200, `${kind}: ${r.method} ${r.path} answered ${res.status}`);
      return res.json() as Promise<{ caseId?: string }>;
    };
    const db = new Database(ceilingFile(ceilingDir), { readonly: true });
    const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
    try {
      const rowsBefore = count('SELECT count(*) AS n FROM rows');
      const create = bodies.CreateCase();
      const { caseId } = await call(create);
      const update = bodies.UpdateCase();
      const updatedId = update.path.split('/').pop()!;
      const updatedBefore = kind === 'indexed' ? (db.prepare('SELECT updated FROM icases WHERE case_id = ?').get(updatedId) as { updated: string }).updated : '';
      await call(update);
      const appended = count('SELECT count(*) AS n FROM rows') - rowsBefore;
      if (kind === 'append') {
        // Every write besides the case row is a narrow insert.
        assert.equal(appended, PLAN.CreateCase.writes - 1 + PLAN.UpdateCase.writes - 1);
        continue;
      }
      const fields: Field[] = create.body.fields;
      const updates: Field[] = update.body.fields;
      const cno = count('SELECT cno AS n FROM icases WHERE case_id = ?', caseId);
      // A new case: a value row for each of its values and its created time and reference number, one text document.
      assert.equal(count('SELECT count(*) AS n FROM vals WHERE cno = ?', cno), fields.length + 2);
      const orderRef = fields.find((f) => String(f.value.stringValue).startsWith('ORD-'))!.value.stringValue!;
      assert.equal(count('SELECT count(*) AS n FROM vals v JOIN fnos f USING (fno) WHERE f.field_id = ? AND v.s = ?', manifest.fields.order_ref, orderRef), 1);
      const match = (trigrams: string) => (db.prepare('SELECT rowid FROM text WHERE text MATCH ?').all(trigrams) as { rowid: number }[]).map((r) => r.rowid);
      const trigramsOf = (word: string) =>
        Array.from({ length: word.length - 2 }, (_, i) => `"${word.slice(i, i + 3).toLowerCase().replace(/"/g, '""')}"`).join(' AND ');
      assert.deepEqual(match(trigramsOf(orderRef)), [cno]);
      // An update: its values in place, the update time moved, a document per string value and the time's.
      const ucno = count('SELECT cno AS n FROM icases WHERE case_id = ?', updatedId);
      for (const f of updates) {
        const row = db.prepare('SELECT s, n FROM vals v JOIN fnos USING (fno) WHERE v.cno = ? AND field_id = ?').get(ucno, f.id) as { s: string | null; n: number | null };
        assert.deepEqual(row, { s: f.value.stringValue ?? null, n: f.value.doubleValue ?? null }, f.id);
      }
      const note = updates[0].value.stringValue!;
      const noteWord = note.split(' ')[1].replace(':', '');
      assert.deepEqual(
        match(trigramsOf(noteWord)).map((rowid) => rowid % 2 ** 40),
        [ucno],
        'the note is found in its own document',
      );
      assert.ok((db.prepare('SELECT updated FROM icases WHERE cno = ?').get(ucno) as { updated: string }).updated > updatedBefore);
      // What the index statements did not use of the plan's budget still went to the append-only table: a new case's
      // case number, values and document; an update's time, values, and a deleted and a new document per string and
      // for the time.
      const documents = 1 + updates.filter((f) => f.value.stringValue !== undefined).length;
      const indexWrites = 1 + (fields.length + 2) + 1 + (1 + updates.length + 2 * documents);
      assert.equal(appended + indexWrites, PLAN.CreateCase.writes - 1 + PLAN.UpdateCase.writes - 1);
    } finally {
      db.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }
});

test('the store ceiling runs the statements opencases runs for the same requests', async () => {
  const operations: Operation[] = ['CreateCase', 'GetCase', 'UpdateCase', 'SearchCases'];
  /**
   * Per operation, the statements a store ran for 10 requests, by kind: after 5 untraced ones (so that caches are
   * warm), and with the search rows and text documents they queued written right after them (as bench:api counts
   * them), not on timers, which would move from one request to another with the machine's speed.
   */
  const traceOf = async (name: string, serve: (store: SqliteStore) => Promise<{ endpoint: string; close(): Promise<unknown> }>, signed: boolean) => {
    const dataDir = join(dir, name);
    mkdirSync(dataDir);
    copyFileSync(join(seedDir, 'opencases.db'), join(dataDir, 'opencases.db'));
    let trace: string[] | undefined;
    const store = new SqliteStore({ dataDir, verbose: (sql) => trace?.push(statementKind(sql)), textIndexDelayMs: false, searchBatchDelayMs: false });
    const server = await serve(store);
    const target = { ...manifest, caseIds, endpoint: server.endpoint, region: 'us-east-1', accessKeyId: 'AKIDCEILINGTEST', secretAccessKey: 'ceiling-test-secret' };
    const bodies = requestBodies(target, prng(5));
    const sign = signer(target);
    const call = async (op: Operation) => {
      const body = bodies[op]();
      const r = signed
        ? await send(new URL(server.endpoint), undefined, await sign(op, body))
        : await fetch(server.endpoint + body.path, { method: body.method, body: JSON.stringify(body.body) }).then(async (res) => ({ status: res.status, body: await res.text() }));
      assert.equal(r.status, 200, `${name} ${op}: ${r.body.slice(0, 200)}`);
    };
    const byOperation: Record<string, string[]> = {};
    try {
      for (const op of operations) {
        for (let i = 0; i < 5; i++) await call(op);
        await store.indexAllText();
        trace = [];
        for (let i = 0; i < 10; i++) await call(op);
        await store.indexAllText();
        byOperation[op] = trace.filter((sql) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(sql));
        trace = undefined;
      }
    } finally {
      await server.close();
      await store.close();
    }
    return byOperation;
  };

  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ credentials: [{ accessKeyId: 'AKIDCEILINGTEST', secretAccessKey: 'ceiling-test-secret', accountId: BENCH_ACCESS_KEY }] }));
  const opencases = await traceOf('opencases', (store) => startServer({ store, credentialsFile, port: 0, logLevel: 'silent' }), true);
  const ceiling = await traceOf(
    'store-ceiling',
    async (store) => {
      const server = startStoreCeiling(store, 0, BENCH_ACCESS_KEY);
      await new Promise((resolve) => server.once('listening', resolve));
      return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
    },
    false,
  );
  for (const op of operations) {
    assert.ok(opencases[op].length >= 8, `${op}: opencases ran statements`);
    const counts = (list: string[]) => list.reduce((m, sql) => m.set(sql, (m.get(sql) ?? 0) + 1), new Map<string, number>());
    const [mine, theirs] = [counts(ceiling[op]), counts(opencases[op])];
    const differing = [...new Set([...mine.keys(), ...theirs.keys()])].filter((k) => mine.get(k) !== theirs.get(k));
    assert.deepEqual(
      differing.map((k) => `${mine.get(k) ?? 0} × (opencases ${theirs.get(k) ?? 0} ×) ${k}`),
      [],
      `${op}: the store ceiling runs the same statements as opencases`,
    );
  }
});
