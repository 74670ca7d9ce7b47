/**
 * Group commit of the SQLite store: concurrent writes share a COMMIT, a failing write is undone alone, a failing
 * COMMIT fails its whole group, and reads see only committed writes. (That an acknowledged write survives a crash is
 * test/crash.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { titledCase } from './support/case-records.js';

function openStore() {
  const dir = mkdtempSync(join(tmpdir(), 'oc-group-commit-'));
  const statements: string[] = [];
  const store = new SqliteStore({ dataDir: dir, verbose: (sql) => statements.push(sql) });
  return {
    store,
    statements,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const doc = (id: string) => ({ kind: 'domain' as const, scope: '123456789012', id, name: id, deleted: false, data: { id } });

test('concurrent writes share commits; a failing one is undone alone and reports its own error', async () => {
  const { store, statements, close } = openStore();
  try {
    statements.length = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.write(async (tx) => {
          await tx.putResource(doc(`d-${i}`));
          if (i % 3 === 1) throw new Error(`write ${i} fails after writing`);
          return i;
        }),
      ),
    );
    outcomes.forEach((o, i) => {
      if (i % 3 === 1) assert.deepEqual(o, { status: 'rejected', reason: new Error(`write ${i} fails after writing`) });
      else assert.deepEqual(o, { status: 'fulfilled', value: i });
    });
    const commits = statements.filter((s) => s === 'COMMIT').length;
    assert.ok(commits < 20, `20 concurrent writes took ${commits} commits`);
    const stored = await store.read(async (tx) => Promise.all(Array.from({ length: 20 }, (_, i) => tx.getResource('domain', '123456789012', `d-${i}`))));
    stored.forEach((r, i) => assert.equal(r !== undefined, i % 3 !== 1, `d-${i}`));
  } finally {
    await close();
  }
});

test('a COMMIT that fails fails every write of its group, and leaves nothing of them, in the search either', async () => {
  const { store, close } = openStore();
  try {
    // A foreign key checked at COMMIT: a write that breaks it passes its own savepoint and fails the whole group.
    store.db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent INTEGER REFERENCES parent DEFERRABLE INITIALLY DEFERRED)');
    const search = async () => (await store.read((tx) => tx.searchCases({ domainId: 'dom', words: ['lentil'], sorts: [], limit: 10 }))).hits.map((h) => h.record.caseId);
    const outcomes = await Promise.allSettled([
      store.write((tx) => tx.insertCase(titledCase(1, 'lentil soup'))),
      store.write((tx) => tx.putResource(doc('d-1'))),
      store.write(async () => void store.db.prepare('INSERT INTO child (parent) VALUES (42)').run()),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
    for (const o of outcomes) assert.match(String((o as PromiseRejectedResult).reason), /FOREIGN KEY constraint failed/);
    assert.equal(await store.read((tx) => tx.getCase('dom', 'case-1')), undefined);
    assert.equal(await store.read((tx) => tx.getResource('domain', '123456789012', 'd-1')), undefined);
    assert.deepEqual(await search(), [], 'the undone case is not searched');

    // The store goes on: the next group commits, and its case is found.
    await store.write((tx) => tx.insertCase(titledCase(2, 'lentil stew')));
    assert.deepEqual(await search(), ['case-2']);
  } finally {
    await close();
  }
});

test('writes and reads run in the order they were asked for; a read never sees a later write', async () => {
  const { store, close } = openStore();
  try {
    const seen: (string | undefined)[] = [];
    const read = () => store.read(async (tx) => seen.push((await tx.getResource<{ id: string }>('domain', '123456789012', 'x'))?.data.id));
    await Promise.all([
      read(),
      store.write(async (tx) => tx.putResource(doc('x'))),
      read(),
      store.write(async (tx) => tx.putResource({ ...doc('x'), data: { id: 'second' } })),
      store.write(async () => {
        throw new Error('refused');
      }).catch(() => undefined),
      read(),
    ]);
    assert.deepEqual(seen, [undefined, 'x', 'second']);
  } finally {
    await close();
  }
});

test('a write is answered only once its group is committed', async () => {
  const { store, statements, close } = openStore();
  try {
    statements.length = 0;
    const committedWhenAnswered: boolean[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        store.write(async (tx) => tx.putResource(doc(`c-${i}`))).then(() => committedWhenAnswered.push(statements.at(-1) === 'COMMIT')),
      ),
    );
    assert.deepEqual(committedWhenAnswered, [true, true, true, true, true]);
  } finally {
    await close();
  }
});

test('a write asked for one turn of the event loop after another joins its group', async () => {
  const { store, statements, close } = openStore();
  try {
    statements.length = 0;
    // The second write is asked for in the turn after the first, as a request read by the event loop's next poll
    // for I/O would be: the group waits for it and one COMMIT makes both durable.
    const first = store.write(async (tx) => tx.putResource(doc('turn-1')));
    const second = new Promise<void>((resolve, reject) => setImmediate(() => store.write(async (tx) => tx.putResource(doc('turn-2'))).then(resolve, reject)));
    await Promise.all([first, second]);
    assert.equal(statements.filter((s) => s === 'COMMIT').length, 1, statements.join('; '));
  } finally {
    await close();
  }
});
