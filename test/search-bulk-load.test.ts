/**
 * The SQLite bulk load (SqliteStore.loadCases, docs/search.md "Bulk loading") on a database file: the text index
 * built on a worker and copied in, the search indexes dropped and built again, and the fallbacks. Every search must
 * answer exactly as over the same cases inserted one by one.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { searchIndexes } from '../src/store/sqlite/migrations.js';
import { TEXT_CASE_OF_ROWID } from '../src/store/sqlite/search-sql.js';
import type { CaseCondition, CaseRecord } from '../src/store/types.js';
import { prng } from './support/fuzz.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fileStore = () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-bulk-'));
  dirs.push(dir);
  return { dir, store: new SqliteStore({ dataDir: dir, textIndexDelayMs: false }) };
};

const WORDS = ['printer', 'Jam', 'router', 'ÉCOLE', 'refund', 'late', 'delivery', 'Øresund', 'x', '100%', 'a_b'];
function randomCases(n: number, seed: number, prefix: string): CaseRecord[] {
  const { next: rand, pick } = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const fields: CaseRecord['fields'] = {
      title: { stringValue: `${pick(WORDS)} ${pick(WORDS)} ${i}` },
      amount: { doubleValue: Math.floor(rand() * 100) },
      owner: { userArnValue: `arn:aws:connect:us-east-1:111122223333:instance/i/agent/${pick(WORDS)}` },
    };
    if (rand() < 0.5) fields.note = { stringValue: `${pick(WORDS)} again` };
    if (rand() < 0.3) fields.vip = { booleanValue: rand() < 0.5 };
    return {
      domainId: 'dom',
      caseId: `${prefix}-${i}`,
      templateId: 'tpl',
      referenceNumber: `${prefix}${i}`,
      createdTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      lastUpdatedTime: new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 1e9)).toISOString(),
      fields,
      tags: rand() < 0.5 ? { team: pick(['red', 'blue']) } : ({} as Record<string, string>),
    };
  });
}
const batchesOf = (cases: CaseRecord[], size: number) =>
  Array.from({ length: Math.ceil(cases.length / size) }, (_, i) => cases.slice(i * size, (i + 1) * size));

const QUERIES: { words: string[]; condition?: CaseCondition }[] = [
  { words: [] },
  { words: ['printer'] },
  { words: ['jam', 'école'] },
  { words: ['agent/øresund'] },
  { words: ['again', '100%'] },
  { words: [], condition: { kind: 'contains', fieldId: 'title', text: 'rint' } },
  { words: [], condition: { kind: 'contains', fieldId: 'note', text: 'a_b' } },
  { words: [], condition: { kind: 'compare', fieldId: 'amount', op: '<', column: 'n', value: 10 } },
  { words: [], condition: { kind: 'tag', key: 'team', value: 'red' } },
  { words: ['late'], condition: { kind: 'not', condition: { kind: 'empty', fieldId: 'vip' } } },
  // The case id and the update time are not among the fields here: search_cases holds them (migration 11), and
  // the documents hold them too.
  { words: ['k-24'] },
  { words: ['2026-01-05'] },
  { words: [], condition: { kind: 'contains', fieldId: 'case_id', text: 'k-13' } },
  { words: [], condition: { kind: 'compare', fieldId: 'last_updated_datetime', op: '>', column: 's', value: '2026-01-09T00:00:00.000Z' } },
];

/** Every query's total and all of its case ids in order (in the default order, by amount, by update time). */
async function answers(store: SqliteStore) {
  return store.read(async (tx) => {
    const out = [];
    for (const q of QUERIES) {
      for (const sorts of [[], [{ fieldId: 'amount', column: 'n' as const, descending: true }], [{ fieldId: 'last_updated_datetime', column: 's' as const, descending: false }]]) {
        const r = await tx.searchCases({ domainId: 'dom', ...q, sorts, limit: 100 });
        out.push({ q, total: r.totalCount, ids: r.hits.map((h) => h.record.caseId) });
      }
    }
    return out;
  });
}

const count = (store: SqliteStore, sql: string) => store.db.prepare(sql).pluck().get() as number;
/** Case writes waiting for their search rows (written in batches: migration 13) or for their text documents. */
const WAITING = 'SELECT (SELECT count(*) FROM search_dirty) + (SELECT count(*) FROM search_text_pending)';
const indexNames = (store: SqliteStore) =>
  store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'search_%'").pluck().all() as string[];

describe('bulk load into a database file', () => {
  const cases = randomCases(2500, 7, 'k');

  test('copies a text index built apart, rebuilds the search indexes, and answers as one-by-one inserts do', async () => {
    const reference = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
    await reference.write(async (tx) => {
      for (const c of cases) await tx.insertCase(c);
    });
    await reference.indexAllText();

    const { dir, store } = fileStore();
    const config = () => store.db.prepare('SELECT k, v FROM search_text_config ORDER BY k').all();
    const configBefore = config();
    const phases: string[] = [];
    assert.equal(await store.loadCases(batchesOf(cases, 600), (p) => phases.at(-1) !== p.phase && phases.push(p.phase)), cases.length);
    // The copy takes the worker's index, not its table's settings: the real table keeps its own.
    assert.deepEqual(config(), configBefore);
    assert.deepEqual(phases, ['cases', 'indexes', 'text']);
    // The worker's index landed: every case has its document and none waits for the indexer.
    assert.equal(count(store, 'SELECT count(*) FROM search_text_pending'), 0);
    assert.equal(count(store, 'SELECT count(*) FROM search_text_docsize'), cases.length);
    assert.equal(count(store, 'SELECT count(DISTINCT segid) FROM search_text_idx'), 1, 'the copied index is one merged segment');
    assert.doesNotThrow(() => store.db.exec("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 0)"));
    assert.equal(store.integrityCheck(), 'ok');
    for (const { drop } of searchIndexes) assert.ok(indexNames(store).includes(drop.split(' ').at(-1)!), drop);
    assert.equal(existsSync(join(dir, 'opencases.db.bulk-text')), false, 'the scratch file is removed');
    // The settings of the load are undone (2: temporary storage in memory, for the savepoints of group commit).
    assert.deepEqual(
      ['synchronous', 'cache_size', 'mmap_size', 'threads', 'temp_store', 'busy_timeout'].map((p) => store.db.pragma(p, { simple: true })),
      [2, -16000, 0, 0, 2, 1],
    );
    assert.deepEqual(await answers(store), await answers(reference));

    // Later writes keep the copied index up to date.
    await store.write(async (tx) => {
      await tx.updateCase({ ...cases[0], fields: { title: { stringValue: 'zanzibar' } } }, ['title', 'amount', 'owner', 'note', 'vip']);
      await tx.deleteCase('dom', cases[1].caseId);
    });
    await store.indexAllText();
    const hits = await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['zanzibar'], sorts: [], limit: 10 }));
    assert.deepEqual(hits.hits.map((h) => h.record.caseId), [cases[0].caseId]);
    await store.close();
    await reference.close();
  });

  test('into a database that already has text, leaves the new cases to the text indexer, with the same answers', async () => {
    const [first, ...rest] = cases;
    const reference = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
    await reference.write(async (tx) => {
      for (const c of cases) await tx.insertCase(c);
    });
    const { store } = fileStore();
    await store.write((tx) => tx.insertCase(first));
    await store.indexAllText();
    await store.loadCases(batchesOf(rest, 1000));
    assert.equal(count(store, 'SELECT count(*) FROM search_text_pending'), rest.length);
    // Exact while pending, and after indexing.
    assert.deepEqual(await answers(store), await answers(reference));
    await store.indexAllText();
    // The indexer writes every document into its own table (migration 10).
    assert.equal(count(store, 'SELECT count(*) FROM search_text_docsize'), 0);
    assert.equal(count(store, 'SELECT count(*) FROM search_text_recent_docsize'), cases.length);
    assert.deepEqual(await answers(store), await answers(reference));
    await store.close();
    await reference.close();
  });

  test("the indexer's later documents go to the second text table, and the loaded segment is never merged", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-bulk-'));
    dirs.push(dir);
    const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: 5 });
    await store.loadCases(batchesOf(cases, 500));
    const segments = () => store.db.prepare('SELECT DISTINCT segid FROM search_text_idx ORDER BY segid').pluck().all();
    const loaded = segments();
    assert.equal(loaded.length, 1);
    // One indexer transaction per update, each adding a segment and merging: with a single table FTS5 took the
    // loaded segment into a merge within these (checked).
    const updated = cases.slice(0, 40).map((c, i) => ({ ...c, fields: { ...c.fields, title: { stringValue: `zanzibar ${i}` } } }));
    for (const c of updated) {
      await store.write((tx) => tx.updateCase(c, ['title']));
      for (let k = 0; k < 500 && count(store, WAITING) > 0; k++) await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(count(store, WAITING), 0);
    assert.deepEqual(segments(), loaded);
    // The updated cases' loaded documents stay (no tombstones in the loaded segment), now stale.
    assert.equal(count(store, 'SELECT count(*) FROM search_text_docsize'), cases.length);
    assert.equal(count(store, 'SELECT count(*) FROM search_text_recent_docsize'), updated.length);
    const hits = await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['zanzibar'], sorts: [], limit: 100 }));
    assert.deepEqual(new Set(hits.hits.map((h) => h.record.caseId)), new Set(updated.map((c) => c.caseId)));
    // Exact over both tables: the updated cases match by their new values only, though some stale documents still
    // hold the word.
    // The load numbered its cases 1, 2, … in order, so the updated ones are numbers 1 to updated.length.
    const staleCandidates = store.db
      .prepare(`SELECT count(*) FROM search_text WHERE search_text MATCH '"pri" AND "rin" AND "int" AND "nte" AND "ter"' AND ${TEXT_CASE_OF_ROWID} <= ?`)
      .pluck()
      .get(updated.length) as number;
    assert.ok(staleCandidates > 0, 'some updated case had printer in its loaded title');
    const printer = await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['printer'], sorts: [], limit: 100 }));
    const current = [...updated, ...cases.slice(updated.length)];
    assert.equal(printer.totalCount, current.filter((c) => JSON.stringify(c.fields).toLowerCase().includes('printer')).length);
    // A removed case's documents go from both tables: one updated case, one only loaded.
    await store.write((tx) => tx.deleteCase('dom', updated[0].caseId));
    await store.write((tx) => tx.deleteCase('dom', cases[updated.length].caseId));
    for (let k = 0; k < 500 && count(store, WAITING) > 0; k++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(count(store, 'SELECT count(*) FROM search_text_docsize'), cases.length - 2);
    assert.equal(count(store, 'SELECT count(*) FROM search_text_recent_docsize'), updated.length - 1);
    store.db.exec("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 0)");
    store.db.exec("INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('integrity-check', 0)");
    await store.close();
  });

  test('a store with its text indexer running keeps it off the loaded cases, and the loaded index is copied in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-bulk-'));
    dirs.push(dir);
    // The indexer runs 5 ms after a write: between two batches it would find the load's, were it not queued behind it.
    const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: 5 });
    await store.loadCases(batchesOf(cases, 100));
    assert.equal(count(store, 'SELECT count(*) FROM search_text_pending'), 0);
    assert.equal(count(store, 'SELECT count(*) FROM search_text_docsize'), cases.length);
    assert.equal(count(store, 'SELECT count(DISTINCT segid) FROM search_text_idx'), 1, 'the copied index is one merged segment');
    // And the indexer indexes what comes after the load.
    await store.write((tx) => tx.updateCase({ ...cases[0], fields: { title: { stringValue: 'zanzibar' } } }, ['title', 'amount', 'owner', 'note', 'vip']));
    for (let i = 0; i < 500 && count(store, 'SELECT count(*) FROM search_text_pending') > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(count(store, 'SELECT count(*) FROM search_text_pending'), 0);
    const hits = await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['zanzibar'], sorts: [], limit: 10 }));
    assert.deepEqual(hits.hits.map((h) => h.record.caseId), [cases[0].caseId]);
    await store.close();
  });

  test('a load queued behind writes waits for their group instead of joining it', async () => {
    const { store } = fileStore();
    // Queued in one turn: the writes form a group, and the load must run after its COMMIT, on its own.
    const [, loaded] = await Promise.all([
      store.write((tx) => tx.insertCase(cases[0])),
      store.loadCases([cases.slice(1, 300)]),
      store.write((tx) => tx.insertCase(cases[300])),
    ]);
    assert.equal(loaded, 299);
    assert.equal(count(store, 'SELECT count(*) FROM cases'), 301);
    await store.close();
  });

  test('a load whose source fails keeps the batches before, with every index in place', async () => {
    const { store } = fileStore();
    const source = async function* () {
      yield cases.slice(0, 500);
      throw new Error('source went away');
    };
    await assert.rejects(store.loadCases(source()), /source went away/);
    for (const { drop } of searchIndexes) assert.ok(indexNames(store).includes(drop.split(' ').at(-1)!), drop);
    const r = await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['printer'], sorts: [], limit: 100 }));
    const expected = cases.slice(0, 500).filter((c) => JSON.stringify(c.fields).toLowerCase().includes('printer')).length;
    assert.equal(r.totalCount, expected);
    assert.ok(expected > 0);
    await store.close();
  });

  test('a database whose load was cut short gets its search indexes back when opened', async () => {
    const { dir, store } = fileStore();
    await store.loadCases([cases.slice(0, 100)]);
    // As a crash between dropping and rebuilding would leave it.
    for (const { drop } of searchIndexes) store.db.exec(drop);
    await store.close();
    const reopened = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    for (const { drop } of searchIndexes) assert.ok(indexNames(reopened).includes(drop.split(' ').at(-1)!), drop);
    await reopened.close();
  });
});
