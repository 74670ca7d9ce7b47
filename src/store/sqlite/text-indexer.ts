/**
 * The background text indexer of a file database, on a worker thread with a connection of its own.
 *
 * A case write only marks the case in search_text_pending; its FTS5 document (~870 characters, ~80 ns a trigram)
 * is written later, in batches (SearchIndex.indexPendingText explains the batching). On the request thread those
 * batches took 16–19% of an UpdateCase's time, measured, and every one of them made a commit of its own there. Here
 * the worker checks every `delayMs` whether cases are pending and indexes them in transactions of its own; the
 * request thread's writes wait for the lock while one runs, and let the worker through first while it asks for the
 * lock (`wantsLock`, SqliteStore.beginWrite).
 *
 * Search never depends on it: a pending case is always a candidate of a text search, so answers are exact however
 * far the indexer lags, and the pending rows are durable with the cases. The request connection's FTS5 sees the
 * worker's commits, as it sees the bulk text index's (bulk-text.ts). An in-memory database, which no other
 * connection can open, is indexed on the request thread instead (SqliteStore.scheduleTextIndex).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { TEXT_INDEXER_SQL } from './search-sql.js';
import { WAL_SIZE_LIMIT_BYTES } from './checkpointer.js';

export interface TextIndexerOptions {
  /** How often the worker looks for pending cases. */
  delayMs: number;
  /** Cases per transaction at most, milliseconds per transaction at most, FTS5 pages merged per case indexed. */
  batch: number;
  budgetMs: number;
  mergePagesPerCase: number;
  /** The pause after a transaction that left cases pending, so that the request connection gets the lock between two. */
  gapMs: number;
  /** How long a transaction waits for the write lock before the run gives up (and is tried again a second later). */
  lockTimeoutMs: number;
}

// Plain CommonJS run with `eval`, like the checkpointer, so the same code works from src/ (tsx) and dist/. The
// loop is SearchIndex.indexPendingText's, on this connection.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const o = workerData.options;
const db = new Database(workerData.file);
// Its transactions hold only what can be derived again: a crash that loses the last of them (NORMAL syncs the WAL
// at the request connection's next commit, not at this one's) leaves their cases pending, which the next run indexes.
// Not syncing here keeps the request thread's writes from waiting for a sync that protects nothing.
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
// The lock is waited for in begin(), by the clock.
db.pragma('busy_timeout = 1');
// It reads a few rows per case and the FTS5 pages it changes: half the default page cache is plenty.
db.pragma('cache_size = -8000');
const st = Object.fromEntries(Object.entries(workerData.sql).map(([k, sql]) => [k, db.prepare(sql)]));
let timer;
let paused = false;
// wants[0] is 1 while this thread waits for the write lock or holds it: the request thread then lets it through.
const wants = new Int32Array(workerData.wants);
const nap = new Int32Array(new SharedArrayBuffer(4));

function begin() {
  Atomics.store(wants, 0, 1);
  const deadline = performance.now() + o.lockTimeoutMs;
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (e) {
      if (e.code !== 'SQLITE_BUSY' || performance.now() > deadline) throw e;
    }
    Atomics.wait(nap, 0, 0, 1);
  }
}

function indexSome() {
  const started = performance.now();
  const rows = st.nextPendingText.all(o.batch);
  let done = 0;
  for (const r of rows) {
    if (!r.fresh) {
      st.deleteText.run(r.cno);
      st.deleteRecentText.run(r.cno);
    }
    if (r.live) st.addText.run(r.cno, st.caseStrings.pluck().all(r.cno).join('\\n').toLowerCase());
    st.unmarkText.run(r.cno);
    done++;
    if (performance.now() - started > o.budgetMs) break;
  }
  if (done > 0 && o.mergePagesPerCase > 0) st.mergeText.run(Math.ceil(done * o.mergePagesPerCase));
  return done === o.batch || done < rows.length;
}

function run() {
  timer = undefined;
  if (paused) return;
  let next = o.delayMs;
  try {
    if (st.anyPendingText.get().any === 1) {
      begin();
      const stoppedEarly = indexSome();
      db.exec('COMMIT');
      if (stoppedEarly) next = o.gapMs;
    }
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    parentPort.postMessage({ error: String((e && e.message) || e) });
    next = 1000;
  } finally {
    Atomics.store(wants, 0, 0);
  }
  timer = setTimeout(run, next);
}

parentPort.on('message', (m) => {
  if (m === 'pause') {
    paused = true;
    clearTimeout(timer);
    parentPort.postMessage('paused');
  } else if (m === 'resume') {
    paused = false;
    clearTimeout(timer);
    timer = setTimeout(run, 0);
  } else if (m === 'stop') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
timer = setTimeout(run, 0);
`;

export interface TextIndexer {
  /**
   * Whether the worker waits for the write lock or holds it. The request thread, which writes far more often,
   * would otherwise take the lock again and again between the worker's tries: runs failed after waiting 1 s.
   */
  wantsLock(): boolean;
  /** Resolves once no indexing transaction runs and none will start before resume (a bulk load builds its own). */
  pause(): Promise<void>;
  resume(): void;
  /** Whether the worker is still there; if it died, the store indexes on the request thread again. */
  readonly running: boolean;
  stop(): Promise<void>;
}

export function startTextIndexer(file: string, options: TextIndexerOptions, onError: (message: string) => void): TextIndexer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const wants = new SharedArrayBuffer(4);
  const wantsView = new Int32Array(wants);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, sql: TEXT_INDEXER_SQL, options, wants, walSizeLimit: WAL_SIZE_LIMIT_BYTES } });
  let running = true;
  const paused: (() => void)[] = [];
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: 'paused' | { error: string }) => {
    if (m === 'paused') {
      paused.shift()?.();
      if (!paused.length) worker.unref();
    }
    else onError(`search text indexing failed: ${m.error}`);
  });
  const gone = (message: string) => {
    if (!running) return;
    running = false;
    for (const resolve of paused.splice(0)) resolve();
    onError(message);
  };
  worker.on('error', (e) => gone(`the text indexer worker failed: ${e.message}`));
  worker.on('exit', () => gone('the text indexer worker exited'));
  worker.unref();
  return {
    get running() {
      return running;
    },
    wantsLock: () => running && Atomics.load(wantsView, 0) === 1,
    pause() {
      if (!running) return Promise.resolve();
      return new Promise<void>((resolve) => {
        paused.push(resolve);
        // Unreferenced, the worker would not keep the event loop alive until it answers.
        worker.ref();
        worker.postMessage('pause');
      });
    },
    resume() {
      if (running) worker.postMessage('resume');
    },
    async stop() {
      if (!running) return;
      running = false;
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
