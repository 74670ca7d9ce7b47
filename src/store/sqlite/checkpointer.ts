/**
 * WAL checkpoints off the request path. By default SQLite checkpoints inside the COMMIT that takes the WAL past
 * 1000 pages; a case write dirties ~55 pages (mostly search index), so every ~18th write paid for copying the WAL
 * into the database file and syncing it. Here the request connection never checkpoints (wal_autocheckpoint=0)
 * and a worker thread with a connection of its own runs PASSIVE checkpoints a few times a second; they never
 * block the writer. Durability is unchanged: a commit is on disk once the WAL is synced (synchronous=FULL), and
 * the checkpointing connection is synchronous=FULL too, so the database file is synced before the WAL is reused.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

const INTERVAL_MS = 200;

// Plain CommonJS run with `eval`, so the same code works from src/ (tsx) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(db: Database.Database, file: string, onError: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: INTERVAL_MS } });
  let running = true;
  // Should the worker die, the request connection goes back to checkpointing itself: the WAL must not grow without bound.
  const fallBack = (message: string) => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
    onError(message);
  };
  worker.on('message', (m: { error?: string }) => m.error && onError(`WAL checkpoint failed: ${m.error}`));
  worker.on('error', (e) => fallBack(`the WAL checkpoint worker failed: ${e.message}`));
  worker.on('exit', () => fallBack('the WAL checkpoint worker exited'));
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  return {
    async stop() {
      if (!running) return;
      running = false;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Unreferenced, the worker would not keep the event loop alive until it has closed its connection.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
