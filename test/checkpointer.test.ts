/**
 * The WAL checkpoint worker (src/store/sqlite/checkpointer.ts): a RESTART checkpoint holds up the request thread
 * while it copies what the last PASSIVE one left, so it must run only when that is little, yet keep the WAL from
 * growing under steady writes. The thresholds are made small here; a reader holding an old snapshot stops PASSIVE
 * checkpoints at that snapshot, which leaves a large backlog on demand.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer } from '../src/store/sqlite/checkpointer.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function database() {
  const dir = mkdtempSync(join(tmpdir(), 'oc-checkpoint-'));
  dirs.push(dir);
  const file = join(dir, 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (b BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (b) VALUES (?)');
  /** One commit of `pages` rows of one page each. */
  const write = (pages: number) => db.transaction(() => { for (let i = 0; i < pages; i++) insert.run(Buffer.alloc(4000, i)); })();
  return { db, file, write };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what: string, ok: () => boolean) {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (ok()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a RESTART checkpoint waits until PASSIVE ones have copied the backlog, then starts the WAL over', async () => {
  const { db, file, write } = database();
  const restarts: { log: number; backlog: number }[] = [];
  const errors: string[] = [];
  const checkpointer = startCheckpointer(db, file, (m) => errors.push(m), {
    intervalMs: 20, restartFrames: 64, maxBacklog: 16, onRestart: (r) => restarts.push(r),
  });
  try {
    const reader = new Database(file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM t').get();
    write(300);
    await sleep(300); // ~15 ticks, each leaving the 300 pages the reader pins uncopied
    assert.equal(restarts.length, 0, 'no RESTART while most of the WAL is still to be copied');
    reader.exec('COMMIT');
    reader.close();
    await until('a RESTART checkpoint', () => restarts.length > 0);
    assert.ok(restarts.every((r) => r.backlog <= 16), JSON.stringify(restarts));
    // The WAL starts over: the next commit is written at its beginning.
    write(1);
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(log < 64, `WAL frames after a restart: ${log}`);
    assert.deepEqual(errors, []);
  } finally {
    await checkpointer.stop();
    db.close();
  }
});

test('under steady small writes the WAL keeps starting over', async () => {
  const { db, file, write } = database();
  const restarts: { log: number; backlog: number }[] = [];
  const checkpointer = startCheckpointer(db, file, () => {}, { intervalMs: 20, restartFrames: 64, maxBacklog: 16, onRestart: (r) => restarts.push(r) });
  try {
    for (let i = 0; i < 400; i++) {
      write(1);
      await sleep(1);
    }
    assert.ok(restarts.length >= 2, `RESTART checkpoints while writing: ${restarts.length}`);
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(log < 400, `WAL frames after 400 one-page commits: ${log}`);
  } finally {
    await checkpointer.stop();
    db.close();
  }
});

test('the RESTART runs on the connection when its owner runs the job, one request at a time', async () => {
  const { db, file, write } = database();
  const jobs: (() => void)[] = [];
  const restarts: { log: number; backlog: number }[] = [];
  const checkpointer = startCheckpointer(db, file, () => {}, {
    intervalMs: 20, restartFrames: 64, maxBacklog: 16, onRestart: (r) => restarts.push(r), runOnConnection: (job) => jobs.push(job),
  });
  try {
    write(100);
    await until('a request for a RESTART', () => jobs.length > 0);
    await sleep(200); // ~10 ticks: the worker asks once while the first request waits
    assert.equal(jobs.length, 1);
    assert.equal(restarts.length, 0);
    jobs.shift()!();
    assert.equal(restarts.length, 1);
    write(1);
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(log < 64, `WAL frames after the restart: ${log}`);
  } finally {
    await checkpointer.stop();
    db.close();
  }
});

test('a store opened with checkpoints: false copies no frame into the database file until it closes (bench/pages.ts)', async () => {
  /** The database file's size after 20 writes over ~400 ms, two checkpoint intervals of the worker. */
  const grows = async (opts: { checkpoints?: false }) => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-checkpoint-store-'));
    dirs.push(dir);
    const store = new SqliteStore({ dataDir: dir, ...opts });
    const file = join(dir, 'opencases.db');
    const before = statSync(file).size;
    for (let i = 0; i < 20; i++) {
      await store.write(async (tx) => tx.putResource({ kind: 'domain', scope: '123456789012', id: `d-${i}`, name: `d-${i}`, deleted: false, data: { pad: 'x'.repeat(8000) } }));
      await sleep(20);
    }
    const grew = statSync(file).size > before;
    await store.close();
    return grew;
  };
  assert.equal(await grows({}), true, 'the checkpoint worker copies frames into the file');
  assert.equal(await grows({ checkpoints: false }), false, 'without checkpoints every frame stays in the WAL');
});
