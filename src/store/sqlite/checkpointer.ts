/**
 * WAL checkpoints off the request path. By default SQLite checkpoints inside the COMMIT that takes the WAL past
 * 1000 pages; a case write dirties ~55 pages (mostly search index), so every ~18th write paid for copying the WAL
 * into the database file and syncing it. Here the request connection never checkpoints (wal_autocheckpoint=0)
 * and a worker thread with a connection of its own runs PASSIVE checkpoints a few times a second; they never
 * block the writer. Durability is unchanged: a commit is on disk once the WAL is synced (synchronous=FULL), and
 * the checkpointing connection is synchronous=FULL too, so the database file is synced before the WAL is reused.
 *
 * PASSIVE alone is not enough under steady writes: SQLite starts the WAL over only when a write begins with every
 * frame already copied into the database, and a PASSIVE checkpoint always trails the commits made while it runs.
 * The WAL then never restarts: in a 4-minute soak it grew to 13.6 GB on disk, and its index (the -shm file,
 * mapped into the process, 32 KiB per 4,096 frames) grew the server's RSS by ~7 MB a minute. So once the WAL holds
 * RESTART_FRAMES, the worker runs a RESTART checkpoint: it keeps writers out for the moment it takes to copy the
 * frames committed since the last PASSIVE one, and the next write starts the WAL over from its beginning.
 *
 * That moment must stay short: writers wait for it only `busy_timeout` (5 s) before failing. A PASSIVE checkpoint
 * that began before a large commit (a bulk load's index build writes ~1 GB in one) leaves all of it for the RESTART,
 * which then copied it under the writers' lock: a seeding run failed its closing commit with SQLITE_BUSY that way.
 * So the worker restarts only when the PASSIVE checkpoint left at most MAX_RESTART_BACKLOG frames uncopied, else
 * it lets the next PASSIVE one copy them unimpeded. Under steady request writes the backlog is what was committed
 * while the PASSIVE checkpoint ran, well under that (the soak of docs/reliability.md writes ~14,000 frames a second,
 * ~2,800 per tick); only bulk writing (a load's batches) keeps it above, and the WAL then grows until they stop.
 * Before a RESTART, up to three more PASSIVE passes bring the backlog under QUICK_BACKLOG if they can: each copies
 * what was committed while the last ran, so the writers wait only for a small copy and its sync.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

const INTERVAL_MS = 200;
/** 64 MiB of 4 KiB pages: restarting once a second or so at full write load, with an index of ~128 KiB. */
const RESTART_FRAMES = 16_384;
/** 32 MiB: copied in well under a second even on a slow disk. */
const MAX_RESTART_BACKLOG = 8_192;
/** 2 MiB: what a RESTART should find left to copy, after extra PASSIVE passes if need be. */
const QUICK_BACKLOG = 512;
const PAGE_BYTES = 4096;

// Plain CommonJS run with `eval`, so the same code works from src/ (tsx) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
// A RESTART checkpoint waits this long for the writer and readers, keeping new writers out while it waits; then
// it gives up, having done what a PASSIVE one does. (better-sqlite3's default would be 5 s, the writers' own limit.)
db.pragma('busy_timeout = 100');
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const timer = setInterval(() => {
  try {
    let { log, checkpointed } = passive();
    if (log < workerData.restartFrames) return;
    // Each PASSIVE pass copies what was committed during the last: a few passes leave the RESTART, which keeps
    // writers out, little to copy and sync.
    for (let pass = 0; pass < 3 && log - checkpointed > workerData.quickBacklog; pass++) ({ log, checkpointed } = passive());
    const backlog = log - checkpointed;
    if (backlog > workerData.maxBacklog) return;
    db.pragma('wal_checkpoint(RESTART)');
    if (workerData.report) parentPort.postMessage({ restarted: { log, backlog } });
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

/** The defaults above; tests make them small, and may hear of each RESTART checkpoint (the WAL's size then, and how much of it PASSIVE had left). */
export interface CheckpointerOptions {
  intervalMs?: number;
  restartFrames?: number;
  maxBacklog?: number;
  onRestart?: (r: { log: number; backlog: number }) => void;
}

export function startCheckpointer(db: Database.Database, file: string, onError: (message: string) => void, opts: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const restartFrames = opts.restartFrames ?? RESTART_FRAMES;
  const workerData = {
    driver,
    file,
    intervalMs: opts.intervalMs ?? INTERVAL_MS,
    restartFrames,
    maxBacklog: opts.maxBacklog ?? MAX_RESTART_BACKLOG,
    quickBacklog: Math.min(QUICK_BACKLOG, opts.maxBacklog ?? MAX_RESTART_BACKLOG),
    report: opts.onRestart !== undefined,
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  let running = true;
  // Should the worker die, the request connection goes back to checkpointing itself: the WAL must not grow without bound.
  const fallBack = (message: string) => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
    onError(message);
  };
  worker.on('message', (m: { error?: string; restarted?: { log: number; backlog: number } }) => {
    if (m.error) onError(`WAL checkpoint failed: ${m.error}`);
    if (m.restarted) opts.onRestart?.(m.restarted);
  });
  worker.on('error', (e) => fallBack(`the WAL checkpoint worker failed: ${e.message}`));
  worker.on('exit', () => fallBack('the WAL checkpoint worker exited'));
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  // A restarted WAL keeps its file size; this cuts a larger one (say, left by an older version) back down.
  db.pragma(`journal_size_limit = ${restartFrames * PAGE_BYTES}`);
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
