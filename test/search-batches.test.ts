/**
 * Search rows in batches (SQLite store, migration 13; docs/search.md): a case write records its case in search_dirty
 * and its search rows are written later, many writes' at once. Searches stay exact: a search writes the batch first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEARCH_BATCH, SqliteStore, type SqliteOptions } from '../src/store/sqlite/sqlite-store.js';
import { titledCase as aCase } from './support/case-records.js';
import { copyAsCrashed } from './support/crashed-copy.js';

function openStore(opts: Partial<SqliteOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'oc-search-batches-'));
  const statements: string[] = [];
  const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false, verbose: (sql) => statements.push(sql), ...opts });
  return { dir, store, statements };
}

const count = (store: SqliteStore, table: string) => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const search = async (store: SqliteStore, words: string[]) =>
  (await store.read((tx) => tx.searchCases({ domainId: 'dom', words, sorts: [], limit: 100 }))).hits.map((h) => h.record.caseId).sort();
/** The statement of a batch that indexes the listed cases again from their rows, not from the writes it saw. */
const readsDirtyTable = (statements: string[]) => statements.some((sql) => sql.includes('FROM search_dirty d') && sql.startsWith('SELECT'));

test('a new case leaves its search rows to a batch, and a search in a read writes the batch first', async () => {
  const { dir, store } = openStore();
  try {
    await store.write(async (tx) => {
      for (let n = 1; n <= 3; n++) await tx.insertCase(aCase(n, `walnut ${n}`));
    });
    assert.equal(count(store, 'search_dirty'), 3);
    assert.equal(count(store, 'search_cases'), 0, 'no search rows yet');
    await store.write((tx) => tx.updateCase({ ...aCase(2, 'pecan 2'), lastUpdatedTime: '2025-02-01T00:00:00.000Z' }, ['title']));
    assert.equal(count(store, 'search_dirty'), 3, 'one row per case, however often it is written');
    assert.deepEqual(await search(store, ['walnut']), ['case-1', 'case-3']);
    assert.deepEqual(await search(store, ['pecan']), ['case-2']);
    assert.equal(count(store, 'search_dirty'), 0);
    assert.equal(count(store, 'search_cases'), 3);
    // An update of a case that has its search rows refreshes them in its own transaction.
    await store.write((tx) => tx.updateCase({ ...aCase(3, 'filbert 3'), lastUpdatedTime: '2025-02-02T00:00:00.000Z' }, ['title']));
    assert.equal(count(store, 'search_dirty'), 0);
    assert.equal(store.db.prepare("SELECT count(*) FROM search_values WHERE s = 'filbert 3'").pluck().get(), 1);
    assert.deepEqual(await search(store, ['filbert']), ['case-3']);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the group that brings the waiting writes to SEARCH_BATCH writes them, for a while; the rest follow shortly', async () => {
  const { dir, store } = openStore();
  try {
    await store.write(async (tx) => {
      for (let n = 1; n < SEARCH_BATCH; n++) await tx.insertCase(aCase(n, `hazel ${n}`));
    });
    assert.equal(count(store, 'search_dirty'), SEARCH_BATCH - 1);
    await store.write((tx) => tx.insertCase(aCase(SEARCH_BATCH, 'hazel last')));
    // The group writes the oldest for SEARCH_BUDGET_MS: each case is either indexed or still listed, not both.
    const indexed = count(store, 'search_cases');
    assert.ok(indexed > 0);
    assert.equal(count(store, 'search_dirty'), SEARCH_BATCH - indexed);
    for (let i = 0; i < 100 && count(store, 'search_dirty') > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(count(store, 'search_dirty'), 0);
    assert.equal(count(store, 'search_cases'), SEARCH_BATCH);
    assert.deepEqual((await search(store, ['hazel'])).length, SEARCH_BATCH);

    // One write, and no other coming: a write group of its own writes the batch.
    await store.write((tx) => tx.insertCase(aCase(SEARCH_BATCH + 1, 'almond')));
    assert.equal(count(store, 'search_dirty'), 1);
    for (let i = 0; i < 100 && count(store, 'search_dirty') > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(count(store, 'search_dirty'), 0);
    assert.equal(count(store, 'search_cases'), SEARCH_BATCH + 1);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch cut short by its budget leaves the rest listed, so that a crash before the next group loses none', async () => {
  const { dir, store } = openStore({ checkpoints: false });
  let copy: string | undefined;
  let reopened: SqliteStore | undefined;
  try {
    // Far more than a group's few milliseconds of batch can index.
    const n = 30 * SEARCH_BATCH;
    await store.write(async (tx) => {
      for (let i = 1; i <= n; i++) await tx.insertCase(aCase(i, `brazil ${i}`));
    });
    const indexed = count(store, 'search_cases');
    assert.ok(indexed > 0 && indexed < n, `${indexed} of ${n} indexed: the batch was not cut short`);
    assert.equal(count(store, 'search_dirty'), n - indexed);
    // A crash right after that group.
    copy = copyAsCrashed(dir);
    reopened = new SqliteStore({ dataDir: copy, textIndexDelayMs: false });
    const found = await reopened.read((tx) => tx.searchCases({ domainId: 'dom', words: ['brazil'], sorts: [], limit: 1 }));
    assert.equal(found.totalCount, n);
  } finally {
    await reopened?.close();
    await store.close();
    for (const d of [dir, copy]) if (d) rmSync(d, { recursive: true, force: true });
  }
});

test('a batch that fails leaves its group to commit and its cases listed; searches fail until a batch succeeds', async () => {
  const { dir, store } = openStore();
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    // A value the search rows cannot take, as a full disk or a corrupt index page would refuse one.
    const refuse = (title: string) =>
      store.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON search_values WHEN NEW.s = '${title}' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    // The second case of the batch, so that the batch fails after indexing one case. (On a slow machine the group's
    // budget may end its batch after the first case; the next group's batch then fails.)
    refuse('cobnut 2');
    await store.write(async (tx) => {
      for (let n = 1; n <= SEARCH_BATCH; n++) await tx.insertCase(aCase(n, `cobnut ${n}`));
    });
    for (let i = 0; i < 250 && warnings.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(warnings, ['search rows failed: refused']);
    assert.equal(count(store, 'cases'), SEARCH_BATCH, "the group's writes committed");
    assert.ok(count(store, 'search_cases') <= 1, 'the failed batch was undone as a whole');
    assert.equal(count(store, 'search_dirty') + count(store, 'search_cases'), SEARCH_BATCH, 'the rest stay listed');
    store.db.exec('DROP TRIGGER refuse');
    // The next batch goes by the listed cases, the first one (indexed, then undone) included.
    assert.equal((await search(store, ['cobnut'])).length, SEARCH_BATCH);
    assert.equal(count(store, 'search_dirty'), 0);

    // A search whose batch fails (again after one case) fails with it, and leaves the cases listed for the next.
    refuse('cobnut last');
    await store.write(async (tx) => {
      await tx.insertCase(aCase(SEARCH_BATCH + 1, `cobnut ${SEARCH_BATCH + 1}`));
      await tx.insertCase(aCase(SEARCH_BATCH + 2, 'cobnut last'));
    });
    await assert.rejects(search(store, ['cobnut']), /refused/);
    store.db.exec('DROP TRIGGER refuse');
    assert.equal((await search(store, ['cobnut'])).length, SEARCH_BATCH + 2);
  } finally {
    process.off('warning', onWarning);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write undone in its group takes back only its own waiting rows', async () => {
  const { dir, store, statements } = openStore();
  try {
    await store.write((tx) => tx.insertCase(aCase(1, 'cashew')));
    // One group: the first write changes case 1 and fails, the second creates case 2.
    const [failed, created] = await Promise.allSettled([
      store.write(async (tx) => {
        await tx.updateCase(aCase(1, 'brazil'), ['title']);
        throw new Error('undone after writing');
      }),
      store.write((tx) => tx.insertCase(aCase(2, 'pistachio'))),
    ]);
    assert.equal(failed.status, 'rejected');
    assert.equal(created.status, 'fulfilled');
    statements.length = 0;
    assert.deepEqual(await search(store, ['cashew']), ['case-1']);
    assert.deepEqual(await search(store, ['brazil']), []);
    assert.deepEqual(await search(store, ['pistachio']), ['case-2']);
    assert.ok(!readsDirtyTable(statements), 'the batch went by the writes it saw, not the table');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('case writes whose batch had not been written when the process ended are indexed on the next start', async () => {
  const { dir, store } = openStore({ checkpoints: false });
  let copy: string | undefined;
  let reopened: SqliteStore | undefined;
  try {
    await store.write((tx) => tx.insertCase(aCase(1, 'chestnut')));
    await store.writeSearchRows();
    await store.write(async (tx) => {
      await tx.insertCase(aCase(2, 'macadamia'));
      await tx.updateCase({ ...aCase(2, 'macadamia acorn'), lastUpdatedTime: '2025-03-01T00:00:00.000Z' }, ['title']);
      await tx.updateCase({ ...aCase(1, 'acorn'), lastUpdatedTime: '2025-03-01T00:00:00.000Z' }, ['title']);
    });
    assert.equal(count(store, 'search_dirty'), 1, 'the new case, written twice');
    copy = copyAsCrashed(dir);
    assert.ok(existsSync(join(copy, 'opencases.db-wal')));

    const statements: string[] = [];
    reopened = new SqliteStore({ dataDir: copy, textIndexDelayMs: false, verbose: (sql) => statements.push(sql) });
    assert.deepEqual(await search(reopened, ['acorn']), ['case-1', 'case-2']);
    assert.deepEqual(await search(reopened, ['chestnut']), []);
    assert.deepEqual(await search(reopened, ['macadamia']), ['case-2']);
    assert.ok(readsDirtyTable(statements), 'the cases were indexed again from their rows');
    assert.equal(count(reopened, 'search_dirty'), 0);
  } finally {
    await reopened?.close();
    await store.close();
    for (const d of [dir, copy]) if (d) rmSync(d, { recursive: true, force: true });
  }
});

test("another connection's batch and later write of a case this one wrote are not undone by this one's batch", async () => {
  const { dir, store: a } = openStore();
  const b = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
  try {
    await a.write((tx) => tx.insertCase(aCase(1, 'quince')));
    // b's search writes the batch of a's write from its row, then b changes the case.
    assert.deepEqual(await search(b, ['quince']), ['case-1']);
    await b.write((tx) => tx.updateCase({ ...aCase(1, 'medlar'), lastUpdatedTime: '2025-04-01T00:00:00.000Z' }, ['title']));
    await b.writeSearchRows();
    // a still held its write of the case as waiting: written now, it would bring the old title back.
    assert.deepEqual(await search(a, ['medlar']), ['case-1']);
    assert.deepEqual(await search(a, ['quince']), []);
  } finally {
    await b.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `fn` with two connections to one new database file (b's batch and text timers off), and closes both. */
async function withTwoConnections(fn: (a: SqliteStore, b: SqliteStore) => Promise<void>) {
  const { dir, store: a } = openStore();
  const b = new SqliteStore({ dataDir: dir, textIndexDelayMs: false, searchBatchDelayMs: false });
  try {
    await fn(a, b);
  } finally {
    await b.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cases a word search finds, in the order it gives them: on a tie (the same update time), newest first. */
const found = async (store: SqliteStore, word: string) =>
  (await store.read((tx) => tx.searchCases({ domainId: 'dom', words: [word], sorts: [], limit: 10 }))).hits.map((h) => h.record.caseId);

test("a bulk load numbers its cases after another connection's waiting cases, as they were created", () =>
  withTwoConnections(async (a, b) => {
    // b's new case waits for b's batch (listed in search_dirty); a knows nothing of it when its load begins.
    await b.write((tx) => tx.insertCase(aCase(1, 'walnut')));
    await a.loadCases([[aCase(2, 'walnut'), aCase(3, 'walnut')]]);
    assert.deepEqual(await found(a, 'walnut'), ['case-3', 'case-2', 'case-1']);
  }));

for (const batchAt of ['the load', 'the other connection'] as const) {
  test(`another connection's case created between two batches of a bulk load is numbered between them and found (its batch written by ${batchAt})`, () =>
    withTwoConnections(async (a, b) => {
      async function* batches() {
        yield [aCase(1, 'pecan')];
        // Between a's batches the file is free: b creates a case, whose search rows wait for a batch, b's or a's.
        await b.write((tx) => tx.insertCase(aCase(2, 'pecan')));
        if (batchAt === 'the other connection') await b.writeSearchRows();
        yield [aCase(3, 'pecan')];
      }
      await a.loadCases(batches());
      // Case 2's number lies between the load's first and last: the load's text index must not claim it.
      assert.deepEqual(await found(a, 'pecan'), ['case-3', 'case-2', 'case-1']);
    }));
}

test("a bulk load's text index is not copied in when another connection gave one of its case numbers to a case of its own", () =>
  withTwoConnections(async (a, b) => {
    async function* batches() {
      yield [aCase(1, 'hazel')];
      // Between a's batches: b deletes a's case 1, the highest number, and indexes that (its pending rows go); then
      // creates case 2, which takes number 1 again. The pending cases match the numbers of the load's documents, but
      // number 1 is no longer the case whose document the load wrote.
      await b.write((tx) => tx.deleteCase('dom', 'case-1'));
      await b.indexAllText();
      await b.write((tx) => tx.insertCase(aCase(2, 'filbert')));
      await b.writeSearchRows();
      yield [aCase(3, 'hazel')];
    }
    await a.loadCases(batches());
    assert.deepEqual(await found(a, 'filbert'), ['case-2']);
    assert.deepEqual(await found(a, 'hazel'), ['case-3']);
  }));

test('closing the store writes the waiting batch', async () => {
  const { dir, store } = openStore();
  try {
    await store.write((tx) => tx.insertCase(aCase(1, 'pine nut')));
    assert.equal(count(store, 'search_dirty'), 1);
    await store.close();
    const reopened = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    try {
      assert.equal(count(reopened, 'search_dirty'), 0);
      assert.equal(count(reopened, 'search_cases'), 1);
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
