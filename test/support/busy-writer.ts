/**
 * Child process of test/write-lock.test.ts, run under `node --cpu-prof`: a connection of a worker thread holds the
 * write lock of the store's database for HOLD_MS, and the store writes meanwhile. Prints one JSON line: whether
 * the write succeeded, its error code if not, and how long it took.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const HOLD_MS = 1000;
const dataDir = process.argv[2];
const store = new SqliteStore({ dataDir, textIndexDelayMs: false });
const holder = new Worker(
  `const { workerData, parentPort } = require('node:worker_threads');
  const db = new (require(workerData.driver))(workerData.file);
  db.exec('BEGIN IMMEDIATE');
  parentPort.postMessage('locked');
  setTimeout(() => { db.exec('COMMIT'); db.close(); }, workerData.holdMs);`,
  { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file: join(dataDir, 'opencases.db'), holdMs: HOLD_MS } },
);
holder.once('message', async () => {
  const started = performance.now();
  const outcome = await store
    .write((tx) => tx.putResource({ kind: 'domain', scope: 'test', id: 'd1', name: 'd1', deleted: false, data: {} }))
    .then(() => ({ ok: true }), (e: { code?: string }) => ({ ok: false, code: e.code }));
  console.log(JSON.stringify({ ...outcome, ms: Math.round(performance.now() - started) }));
  await holder.terminate();
  await store.close();
});
