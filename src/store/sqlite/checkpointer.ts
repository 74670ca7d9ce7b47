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
 * RESTART_FRAMES, a RESTART checkpoint copies the frames committed since the last PASSIVE one, and the next write
 * starts the WAL over from its beginning.
 *
 * The RESTART runs on the request connection, between two of its transactions (`runOnConnection`), not in the
 * worker. It holds the write lock while it copies and syncs, and while it waits for the writer and for readers it
 * backs off in SQLite's busy handler (1, 2, 5, 10, 15, 20 ms…), losing every race to the request thread's writes.
 * Run in the worker, each RESTART kept writers out for 65–120 ms, about one every 1.5 s under bench:api's
 * UpdateCase. On the request connection it finds no writer and no reader; with the worker syncing the database
 * file just before (`syncDatabase` below) it took 2–8 ms there, against 55–75 ms without.
 *
 * The copy must stay short. A PASSIVE checkpoint that began before a large commit (a bulk load's index build
 * writes ~1 GB in one) leaves all of it for the RESTART. So the worker asks for one only when the PASSIVE
 * checkpoint left at most MAX_RESTART_BACKLOG frames uncopied, else it lets the next PASSIVE one copy them
 * unimpeded. Under steady request writes the backlog is what was committed while the PASSIVE checkpoint ran, well
 * under that (the soak of docs/reliability.md writes ~14,000 frames a second, ~2,800 per tick); only bulk writing
 * (a load's batches) keeps it above, and the WAL then grows until they stop. Before asking, up to three more
 * PASSIVE passes bring the backlog under QUICK_BACKLOG if they can: each copies what was committed while the last ran.
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
const fs = require('node:fs');
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
// Pages a PASSIVE checkpoint copies into the database file are synced only by a checkpoint that reaches the end of
// the WAL, which under steady writes only the RESTART does: it then synced ~64 MiB of them, 53 ms on the request
// thread (strace). So before asking for one the worker syncs the file itself, through SQLite's own descriptor of
// it, found by device and inode: opening and closing one of ours would drop the process's POSIX locks on the file,
// SQLite's among them. Where no descriptor is found the RESTART syncs all, as before. (Syncing after every pass
// instead spread the writes out, but then every sync slowed the commits made meanwhile: write groups' p99 11.6 ms
// against 9.0.)
const { dev, ino } = fs.statSync(workerData.file);
const isDatabase = (fd) => { try { const s = fs.fstatSync(fd); return s.dev === dev && s.ino === ino; } catch { return false; } };
const findDatabaseFd = () => {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try { for (const name of fs.readdirSync(dir)) if (isDatabase(Number(name))) return Number(name); } catch {}
  }
  return undefined;
};
let databaseFd;
const syncDatabase = () => {
  if (databaseFd === undefined || !isDatabase(databaseFd)) databaseFd = findDatabaseFd();
  if (databaseFd !== undefined) fs.fdatasyncSync(databaseFd);
};
const timer = setInterval(() => {
  try {
    let { log, checkpointed } = passive();
    if (log < workerData.restartFrames) return;
    // Each PASSIVE pass copies what was committed during the last: a few passes leave the RESTART, which holds up
    // the request thread, little to copy.
    for (let pass = 0; pass < 3 && log - checkpointed > workerData.quickBacklog; pass++) ({ log, checkpointed } = passive());
    if (log - checkpointed > workerData.maxBacklog) return;
    syncDatabase();
    ({ log, checkpointed } = passive());
    if (log - checkpointed <= workerData.maxBacklog) parentPort.postMessage({ restart: { log, backlog: log - checkpointed } });
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
  /**
   * Runs `job` on `db` when no transaction of it is open: the store queues it with its transactions. By default at
   * once, for a connection whose transactions never span an await.
   */
  runOnConnection?: (job: () => void) => void;
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
  };
  const runOnConnection = opts.runOnConnection ?? ((job: () => void) => job());
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  let running = true;
  // Should the worker die, the request connection goes back to checkpointing itself: the WAL must not grow without bound.
  const fallBack = (message: string) => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
    onError(message);
  };
  /** Set while a RESTART waits for the connection: the worker asks again every tick until it has run. */
  let restartQueued = false;
  const restart = (asked: { log: number; backlog: number }) => {
    restartQueued = false;
    if (!running || !db.open) return;
    try {
      // Busy (no restart) while the worker copies: it asks again once it is done.
      const [{ busy }] = db.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
      if (!busy) opts.onRestart?.(asked);
    } catch (e) {
      onError(`WAL checkpoint failed: ${(e as Error).message}`);
    }
  };
  worker.on('message', (m: { error?: string; restart?: { log: number; backlog: number } }) => {
    if (m.error) onError(`WAL checkpoint failed: ${m.error}`);
    if (m.restart && running && !restartQueued) {
      restartQueued = true;
      runOnConnection(() => restart(m.restart!));
    }
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
