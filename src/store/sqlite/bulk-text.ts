/**
 * The text index of a bulk load (SqliteStore.loadCases), built on the second core.
 *
 * Writing a case's FTS5 trigram document costs ~70 µs (about 870 tokens at ~80 ns each, measured), so a million
 * cases spend over a minute in FTS5 alone, and a database file has one writer at a time. So a worker thread
 * builds the documents into an FTS5 table of the same definition in a scratch database file while the request
 * connection writes the cases, their values and tags, and then, in one transaction on the real database, copies
 * the index's shadow tables over (a few seconds) and clears the cases' search_text_pending rows.
 *
 * Correctness never depends on the copy: every loaded case is pending (durable with the case) until the copy
 * commits, so if the worker fails or the process dies, the store's own text indexer indexes them instead. The
 * copy is only made when it is an exact replacement: the real index is empty (no documents, no pending cases but
 * those of this load) and both tables have the same definition and configuration (copied from the real table:
 * with its automerge 0, the scratch table merges only when a level reaches crisismerge segments, and at seal()).
 * The copying connection is not the request connection, so that connection's FTS5 reloads the index structure,
 * which it caches per connection and checks against `PRAGMA data_version`, a counter only other connections'
 * commits move.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { type LoadedCase, TextState, WHOLE_CASE } from './search-sql.js';

/** Every statement the worker runs; the FTS5 definition and configuration are read from the real database. */
const SQL = {
  definition: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_text'",
  config: "SELECT k, v FROM search_text_config WHERE k <> 'version'",
  setConfig: 'INSERT INTO search_text (search_text, rank) VALUES (?, ?)',
  // Each case's first document, whose rowid is its case number (textKey in search-sql.ts, slot 0).
  addText: 'INSERT INTO search_text (rowid, doc) VALUES (?, ?)',
  optimize: "INSERT INTO search_text (search_text) VALUES ('optimize')",
  attach: 'ATTACH DATABASE ? AS bulk',
  detach: 'DETACH DATABASE bulk',
  bulkDefinition: "SELECT sql FROM bulk.sqlite_master WHERE type = 'table' AND name = 'search_text'",
  // The cases the load wrote, as search_cases numbers them.
  loadedTable: 'CREATE TABLE loaded (cno INTEGER PRIMARY KEY, dno INTEGER NOT NULL, case_id TEXT NOT NULL)',
  addLoaded: 'INSERT INTO loaded (cno, dno, case_id) VALUES (?, ?, ?)',
  // Both text tables are empty and the pending cases are exactly this load's, each pending as created (one row, its
  // whole case) and still the case the load wrote under its number: the copy then replaces nothing. Another process
  // may have written between two of the load's batches: created cases (numbered among the load's), deleted some of
  // the load's, or, after a delete of the highest number, given that number to a case of its own.
  replaceable: `SELECT NOT EXISTS (SELECT 1 FROM main.search_text_docsize) AND NOT EXISTS (SELECT 1 FROM main.search_text_recent_docsize)
    AND NOT EXISTS (SELECT 1 FROM main.search_text_pending p WHERE p.fresh <> ${TextState.created} OR p.slot <> ${WHOLE_CASE} OR NOT EXISTS (
      SELECT 1 FROM bulk.loaded l JOIN main.search_cases c ON c.cno = l.cno AND c.dno = l.dno AND c.case_id = l.case_id WHERE l.cno = p.cno))
    AND (SELECT count(*) FROM main.search_text_pending) = (SELECT count(*) FROM bulk.loaded) AS ok`,
  copy: [
    'DELETE FROM main.search_text_data',
    'DELETE FROM main.search_text_idx',
    'INSERT INTO main.search_text_data SELECT * FROM bulk.search_text_data',
    'INSERT INTO main.search_text_idx SELECT * FROM bulk.search_text_idx',
    'INSERT INTO main.search_text_docsize SELECT * FROM bulk.search_text_docsize',
  ],
  clearPending: 'DELETE FROM main.search_text_pending',
} as const;

// Plain CommonJS run with `eval`, like the checkpointer, so the same code works from src/ (tsx) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const SQL = workerData.sql;
const scratch = new Database(workerData.scratchFile);
// A scratch file, thrown away should anything fail: no journal on disk (OFF is refused in better-sqlite3's defensive mode).
scratch.pragma('journal_mode = MEMORY');
scratch.pragma('synchronous = OFF');
scratch.pragma('cache_size = -65536');
{
  const source = new Database(workerData.file, { readonly: true });
  scratch.exec(source.prepare(SQL.definition).pluck().get());
  for (const { k, v } of source.prepare(SQL.config).all()) scratch.prepare(SQL.setConfig).run(k, BigInt(v));
  source.close();
}
scratch.exec(SQL.loadedTable);
const addText = scratch.prepare(SQL.addText);
const addLoaded = scratch.prepare(SQL.addLoaded);
const addAll = scratch.transaction((docs) => {
  for (const [cno, doc, dno, caseId] of docs) {
    addText.run(cno, doc);
    addLoaded.run(cno, dno, caseId);
  }
});
parentPort.on('message', (m) => {
  try {
    if (m.docs) {
      addAll(m.docs);
      parentPort.postMessage({ added: m.docs.length });
      return;
    }
    if (m.optimize) {
      scratch.exec(SQL.optimize);
      parentPort.postMessage({ optimized: true });
      return;
    }
    scratch.close();
    const db = new Database(workerData.file);
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 60000');
    // Writing FTS5 shadow tables is refused in better-sqlite3's default defensive mode: this connection only.
    db.unsafeMode(true);
    db.prepare(SQL.attach).run(workerData.scratchFile);
    let copied = false;
    db.transaction(() => {
      const same = db.prepare(SQL.definition).pluck().get() === db.prepare(SQL.bulkDefinition).pluck().get();
      if (!same || !db.prepare(SQL.replaceable).get().ok) return;
      for (const sql of SQL.copy) db.exec(sql);
      db.exec(SQL.clearPending);
      copied = true;
    }).immediate();
    db.exec(SQL.detach);
    db.close();
    parentPort.postMessage({ copied });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

/** Two batches of the seed's former size: the worker may trail the load by this many documents (~25 MB). */
const MAX_DOCS_IN_FLIGHT = 40_000;

export interface BulkText {
  /** Hands over the documents of one batch; resolves once at most MAX_DOCS_IN_FLIGHT wait in the worker. */
  add(docs: LoadedCase[]): Promise<void>;
  /**
   * After the last batch: merges the index into one segment (~11 s at a million cases, while the main thread
   * builds its indexes), so that searches read one segment and later merges leave it be.
   */
  seal(): void;
  /**
   * Copies the index into the database and clears the load's pending rows, in one transaction. Resolves false
   * when the copy was not made (the cases stay pending for the store's indexer).
   */
  finish(): Promise<boolean>;
  /** Stops the worker and removes the scratch file; safe to call at any time, also after finish. */
  stop(): Promise<void>;
}

export function startBulkText(file: string): BulkText {
  const scratchFile = `${file}.bulk-text`;
  rmSync(scratchFile, { force: true });
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, scratchFile, sql: SQL } });
  let failure: Error | undefined;
  let exited = false;
  const waiting: ((m: { added?: number; optimized?: boolean; copied?: boolean; error?: string }) => void)[] = [];
  worker.on('message', (m) => waiting.shift()?.(m));
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.splice(0)) w({ error: failure.message });
  };
  worker.on('error', fail);
  worker.on('exit', () => {
    exited = true;
    fail(new Error('the bulk text worker exited'));
  });
  const reply = () =>
    new Promise<{ added?: number; copied?: boolean }>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push((m) => (m.error ? reject(new Error(`bulk text index: ${m.error}`)) : resolve(m)));
    });
  /**
   * Replies still owed for the batches sent, with how many documents each holds: the load waits while more than
   * MAX_DOCS_IN_FLIGHT are, so that they stay some tens of megabytes whatever the batch size.
   */
  let inFlight: { reply: Promise<unknown>; docs: number }[] = [];
  const docsInFlight = () => inFlight.reduce((n, f) => n + f.docs, 0);
  /** A reply awaited later: marked handled now, so that a failure before then is not an unhandled rejection. */
  const later = () => {
    const r = reply();
    r.catch(() => {});
    return r;
  };
  return {
    async add(docs) {
      inFlight.push({ reply: later(), docs: docs.length });
      worker.postMessage({ docs });
      while (docsInFlight() > MAX_DOCS_IN_FLIGHT) await inFlight.shift()!.reply;
    },
    seal() {
      inFlight.push({ reply: later(), docs: 0 });
      worker.postMessage({ optimize: true });
    },
    async finish() {
      await Promise.all(inFlight.splice(0).map((f) => f.reply));
      const done = reply();
      worker.postMessage({ finish: true });
      return (await done).copied === true;
    },
    async stop() {
      inFlight = [];
      if (!exited) await worker.terminate();
      rmSync(scratchFile, { force: true });
    },
  };
}
