/**
 * The embedded store: SQLite through better-sqlite3, WAL mode, synchronous=FULL so that a write is on disk
 * before the server acknowledges it. Every SQL statement of this backend is in this file.
 *
 * better-sqlite3 is synchronous and the Store interface is async, so transactions are serialised by a
 * queue: a transaction holds the connection from BEGIN to COMMIT even when its function awaits. Writes that
 * wait in the queue together share one COMMIT (group commit, runWrites); none is answered before it.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrations, searchIndexes } from './migrations.js';
import { startBulkText, type BulkText } from './bulk-text.js';
import { SearchIndex } from './search-sql.js';
import type { MatchSetOptions } from './search-counts.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import type {
  AuditRecord,
  CaseRecord,
  EventDelivery,
  IdempotencyRecord,
  ListPage,
  LoadProgress,
  RelatedItemQuery,
  RelatedItemRecord,
  RelatedItemSearch,
  ResourceKind,
  ResourceRecord,
  Store,
  Tx,
} from '../types.js';

type Row = Record<string, any>;

const SQL = {
  // Transaction control, prepared once like every statement here (exec would compile it on every call).
  begin: 'BEGIN',
  beginImmediate: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  savepoint: 'SAVEPOINT write',
  release: 'RELEASE write',
  rollbackToSavepoint: 'ROLLBACK TO write',
  dataVersion: 'PRAGMA data_version',

  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',

  getResource: 'SELECT * FROM resources WHERE kind = ? AND scope = ? AND id = ?',
  findResourceByName: 'SELECT * FROM resources WHERE kind = ? AND scope = ? AND name = ? AND deleted = 0 LIMIT 1',
  putResource: `INSERT INTO resources (kind, scope, id, name, deleted, data) VALUES (@kind, @scope, @id, @name, @deleted, @data)
    ON CONFLICT (kind, scope, id) DO UPDATE SET name = excluded.name, deleted = excluded.deleted, data = excluded.data`,
  listResources: 'SELECT * FROM resources WHERE kind = ? AND scope = ? AND seq > ? ORDER BY seq LIMIT ?',
  listLiveResources: 'SELECT * FROM resources WHERE kind = ? AND scope = ? AND seq > ? AND deleted = 0 ORDER BY seq LIMIT ?',
  countResources: 'SELECT count(*) AS n FROM resources WHERE kind = ? AND scope = ?',
  countLiveResources: 'SELECT count(*) AS n FROM resources WHERE kind = ? AND scope = ? AND deleted = 0',
  deleteDomainResource: "DELETE FROM resources WHERE kind = 'domain' AND scope = ? AND id = ?",
  deleteScopedResources: 'DELETE FROM resources WHERE scope = ?',
  deleteOptionResources: "DELETE FROM resources WHERE kind = 'fieldOption' AND scope >= ? AND scope < ?",
  deleteDomainTags: 'DELETE FROM tags WHERE arn = ? OR (arn >= ? AND arn < ?)',
  deleteDomainCases: 'DELETE FROM cases WHERE domain_id = ?',
  deleteDomainAudit: 'DELETE FROM audit_events WHERE domain_id = ?',
  deleteDomainIdempotency: 'DELETE FROM idempotency WHERE domain_id = ?',
  deleteDomainRelatedItems: 'DELETE FROM related_items WHERE domain_id = ?',

  getTags: 'SELECT tags FROM tags WHERE arn = ?',
  putTags: 'INSERT INTO tags (arn, tags) VALUES (?, ?) ON CONFLICT (arn) DO UPDATE SET tags = excluded.tags',

  insertCase: `INSERT INTO cases (domain_id, case_id, template_id, reference_number, created_time, last_updated_time, fields, tags)
    VALUES (@domainId, @caseId, @templateId, @referenceNumber, @createdTime, @lastUpdatedTime, @fields, @tags)`,
  // The bulk load's: positional parameters, no object to build per case.
  loadCase: `INSERT INTO cases (domain_id, case_id, template_id, reference_number, created_time, last_updated_time, fields, tags)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  getCase: 'SELECT * FROM cases WHERE domain_id = ? AND case_id = ?',
  updateCase: `UPDATE cases SET template_id = @templateId, last_updated_time = @lastUpdatedTime, fields = @fields, tags = @tags
    WHERE domain_id = @domainId AND case_id = @caseId`,
  deleteCase: 'DELETE FROM cases WHERE domain_id = ? AND case_id = ?',
  referenceNumberTaken: 'SELECT 1 FROM cases WHERE domain_id = ? AND reference_number = ?',
  deleteCaseAudit: 'DELETE FROM audit_events WHERE domain_id = ? AND case_id = ?',
  deleteCaseIdempotency: 'DELETE FROM idempotency WHERE domain_id = ? AND case_id = ?',
  deleteCaseRelatedItems: 'DELETE FROM related_items WHERE domain_id = ? AND case_id = ?',

  getIdempotency: 'SELECT * FROM idempotency WHERE domain_id = ? AND token = ?',
  putIdempotency: `INSERT INTO idempotency (domain_id, token, request_hash, case_id, created_time) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (domain_id, token) DO UPDATE SET request_hash = excluded.request_hash, case_id = excluded.case_id, created_time = excluded.created_time`,

  appendAudit: 'INSERT INTO audit_events (domain_id, case_id, event) VALUES (?, ?, ?)',
  listAudit: 'SELECT * FROM audit_events WHERE domain_id = ? AND case_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',

  insertRelatedItem: `INSERT INTO related_items (domain_id, case_id, related_item_id, type, association_time, search_key, content, performed_by)
    VALUES (@domainId, @caseId, @relatedItemId, @type, @associationTime, @searchKey, @content, @performedBy)`,
  getRelatedItem: 'SELECT * FROM related_items WHERE domain_id = ? AND case_id = ? AND related_item_id = ?',
  updateRelatedItem: `UPDATE related_items SET content = @content, search_key = @searchKey, performed_by = @performedBy
    WHERE domain_id = @domainId AND case_id = @caseId AND related_item_id = @relatedItemId`,
  deleteRelatedItem: 'DELETE FROM related_items WHERE domain_id = ? AND case_id = ? AND related_item_id = ?',
  countRelatedItems: 'SELECT count(*) AS n FROM related_items WHERE domain_id = ? AND case_id = ?',
  countRelatedItemsOfType: 'SELECT count(*) AS n FROM related_items WHERE domain_id = ? AND case_id = ? AND type = ?',
  listCasesForContact: `SELECT DISTINCT r.case_id, c.template_id FROM related_items r
    JOIN cases c ON c.domain_id = r.domain_id AND c.case_id = r.case_id
    WHERE r.domain_id = ? AND r.type = 'Contact' AND r.search_key = ? AND r.case_id > ? ORDER BY r.case_id LIMIT ?`,
  insertOutboxEvent: 'INSERT INTO event_outbox (event_id, domain_id, case_id, created_time, payload) VALUES (?, ?, ?, ?, ?)',
  registerSink: 'INSERT INTO event_sinks (sink_id, cursor) VALUES (?, 0) ON CONFLICT (sink_id) DO NOTHING',
  fanOutEvents: `INSERT INTO event_deliveries (sink_id, event_seq, domain_id, case_id)
    SELECT ?, seq, domain_id, case_id FROM event_outbox WHERE seq > (SELECT cursor FROM event_sinks WHERE sink_id = ?)
    ON CONFLICT (sink_id, event_seq) DO NOTHING`,
  // Only writes when there is something new: an idle worker's poll must not cost a disk sync.
  advanceSink: `UPDATE event_sinks SET cursor = (SELECT max(seq) FROM event_outbox)
    WHERE sink_id = ? AND cursor < (SELECT coalesce(max(seq), 0) FROM event_outbox)`,
  getSinkCursor: 'SELECT cursor FROM event_sinks WHERE sink_id = ?',
  // A delivery is claimable when no older delivery of its case is still queued for the sink, whatever its state.
  claimableDeliveries: `SELECT d.*, o.event_id, o.created_time, o.payload FROM event_deliveries d JOIN event_outbox o ON o.seq = d.event_seq
    WHERE d.sink_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ? AND d.claimed_until <= ?
      AND NOT EXISTS (SELECT 1 FROM event_deliveries e
        WHERE e.sink_id = d.sink_id AND e.domain_id = d.domain_id AND e.case_id = d.case_id AND e.event_seq < d.event_seq)
    ORDER BY d.event_seq LIMIT ?`,
  leaseDelivery: 'UPDATE event_deliveries SET claimed_until = ? WHERE sink_id = ? AND event_seq = ?',
  completeDelivery: 'DELETE FROM event_deliveries WHERE sink_id = ? AND event_seq = ?',
  failDelivery: `UPDATE event_deliveries SET attempts = @attempts, next_attempt_at = @nextAttemptAt, status = @status,
    last_error = @error, claimed_until = 0 WHERE sink_id = @sinkId AND event_seq = @eventSeq`,
  listDeadDeliveries: `SELECT d.*, o.event_id, o.created_time, o.payload FROM event_deliveries d JOIN event_outbox o ON o.seq = d.event_seq
    WHERE d.status = 'dead' ORDER BY d.event_seq, d.sink_id`,
  requeueAllDead: `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_error = NULL
    WHERE status = 'dead'`,
  requeueDeadOfEvent: `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_error = NULL
    WHERE status = 'dead' AND event_seq IN (SELECT seq FROM event_outbox WHERE event_id = ?)`,
  discardAllDead: "DELETE FROM event_deliveries WHERE status = 'dead'",
  discardDeadOfEvent: "DELETE FROM event_deliveries WHERE status = 'dead' AND event_seq IN (SELECT seq FROM event_outbox WHERE event_id = ?)",
  pruneOutbox: 'DELETE FROM event_outbox WHERE seq <= ? AND NOT EXISTS (SELECT 1 FROM event_deliveries WHERE event_seq = event_outbox.seq)',
} as const;

/** Builds a dynamic statement: related items by case and/or type set. */
function listRelatedItemsSql(q: RelatedItemQuery): { sql: string; params: unknown[] } {
  const where = ['domain_id = ?', 'seq > ?'];
  const params: unknown[] = [q.domainId, q.afterSeq ?? 0];
  if (q.caseId !== undefined) {
    where.push('case_id = ?');
    params.push(q.caseId);
  }
  if (q.types?.length) {
    where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
    params.push(...q.types);
  }
  // LIMIT only when asked for: with it, a look-up finding nothing took 22 µs instead of 7 (measured), and the SLAs
  // of a case are looked up on every UpdateCase.
  if (q.limit === undefined) return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY seq`, params };
  params.push(q.limit);
  return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`, params };
}

const SEARCH_COLUMNS = { associationTime: 'association_time', caseId: 'case_id', seq: 'seq' } as const;

/**
 * Related-item search with keyset pagination over any mix of sort directions: after the position p, an item
 * comes later when it is beyond p on the first sort key, or equal on it and beyond on the next, and so on.
 */
function searchRelatedItemsSql(q: RelatedItemSearch): { sql: string; params: unknown[] } {
  const where = ['domain_id = ?'];
  const params: unknown[] = [q.domainId];
  if (q.caseId !== undefined) {
    where.push('case_id = ?');
    params.push(q.caseId);
  }
  if (q.matches.length) {
    const alternatives = q.matches.map((m) => {
      params.push(m.type);
      if (m.searchKey === undefined) return '(type = ?)';
      params.push(m.searchKey);
      return '(type = ? AND search_key = ?)';
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const keys: { column: keyof typeof SEARCH_COLUMNS; descending: boolean }[] = [];
  for (const s of q.sorts) if (!keys.some((k) => k.column === s.property)) keys.push({ column: s.property, descending: s.descending });
  keys.push({ column: 'seq', descending: false });
  if (q.after) {
    const after = q.after;
    const alternatives = keys.map((key, i) => {
      const terms = keys.slice(0, i).map((k) => {
        params.push(after[k.column]);
        return `${SEARCH_COLUMNS[k.column]} = ?`;
      });
      params.push(after[key.column]);
      terms.push(`${SEARCH_COLUMNS[key.column]} ${key.descending ? '<' : '>'} ?`);
      return `(${terms.join(' AND ')})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  params.push(q.limit);
  const order = keys.map((k) => `${SEARCH_COLUMNS[k.column]}${k.descending ? ' DESC' : ''}`).join(', ');
  return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`, params };
}

const toResource = <T>(r: Row): ResourceRecord<T> => ({
  kind: r.kind,
  scope: r.scope,
  id: r.id,
  name: r.name,
  deleted: r.deleted === 1,
  data: JSON.parse(r.data),
  seq: r.seq,
});

const toCase = (r: Row): CaseRecord => ({
  domainId: r.domain_id,
  caseId: r.case_id,
  templateId: r.template_id,
  referenceNumber: r.reference_number,
  createdTime: r.created_time,
  lastUpdatedTime: r.last_updated_time,
  fields: JSON.parse(r.fields),
  tags: JSON.parse(r.tags),
});

const toRelatedItem = (r: Row): RelatedItemRecord => ({
  domainId: r.domain_id,
  caseId: r.case_id,
  relatedItemId: r.related_item_id,
  type: r.type,
  associationTime: r.association_time,
  searchKey: r.search_key,
  content: JSON.parse(r.content),
  performedBy: r.performed_by ? JSON.parse(r.performed_by) : undefined,
  seq: r.seq,
});

const toDelivery = (r: Row): EventDelivery => ({
  sinkId: r.sink_id,
  eventSeq: r.event_seq,
  eventId: r.event_id,
  domainId: r.domain_id,
  caseId: r.case_id,
  createdTime: r.created_time,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
});

const caseParams = (c: CaseRecord) => ({ ...c, fields: JSON.stringify(c.fields), tags: JSON.stringify(c.tags) });
type CaseParams = ReturnType<typeof caseParams>;
const waitingKey = (row: CaseParams) => `${row.domainId}\n${row.caseId}`;
const relatedParams = (r: RelatedItemRecord) => ({
  ...r,
  content: JSON.stringify(r.content),
  performedBy: r.performedBy ? JSON.stringify(r.performedBy) : null,
});

export interface SqliteOptions {
  /** A directory for `opencases.db`, or `:memory:`. */
  dataDir: string;
  /** Called with every statement SQLite executes (bench/api.ts counts them per operation). */
  verbose?: (sql: string) => void;
  /**
   * How long after a case write the text indexer runs (default 100 ms); `false` leaves pending cases to
   * indexAllText (tests, bulk loads).
   */
  textIndexDelayMs?: number | false;
  /**
   * How long after the first waiting case write its batch of search rows is due (default SEARCH_DELAY_MS); `false`
   * leaves the batch to a search, writeSearchRows or close (tests that count statements, which a timer would move).
   */
  searchBatchDelayMs?: number | false;
  /** Tuning of the search's match sets (search-counts.ts); tests use it to run them on small domains. */
  searchSets?: MatchSetOptions;
  /** `false`: no checkpoints until the store closes, so the WAL only grows (bench/pages.ts counts its frames). */
  checkpoints?: false;
}

/** A transaction waiting for the connection; `exclusive` jobs run outside one and make their own (loadCases). */
interface Job {
  kind: 'read' | 'write' | 'exclusive';
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Prepared dynamic statements (the related-item queries above) are kept by their SQL text, at most this many:
 * their shapes vary only with the number of types, matches and sort keys, and preparing one cost ~60 µs, 2.7%
 * of an UpdateCase's CPU (trackSlas lists the case's SLAs on every update).
 */
const MAX_DYNAMIC_STATEMENTS = 200;

/**
 * Resource rows kept in memory (SqliteStore.resourceRows), at most this many: a domain with 500 fields and their
 * options fits, and a row is a few hundred bytes.
 */
const MAX_RESOURCE_ROWS = 20_000;
const resourceKey = (kind: string, scope: string, id: string) => `${kind}\n${scope}\n${id}`;

/** At most this many writes share one COMMIT. */
const MAX_GROUP_COMMIT = 64;

/**
 * The text indexer runs in slices at the end of write groups, before their COMMIT (runTextSlice). A slice indexes
 * pending rows for at most TEXT_BUDGET_MS (at most TEXT_BATCH of them), and pays at most TEXT_MERGE_SLICE_PAGES of
 * the merge debt: an FTS5 page per TEXT_CHARS_PER_MERGE_PAGE characters indexed, which keeps the segment count flat
 * (measured at 100,000 cases as 1.5 pages per document of a whole case, ~600 characters). A run that indexed and
 * merged in one job took 5 ms on average under bench:api's UpdateCase and up to 21 ms, the merge most of it, and
 * those groups were nearly all of the slowest 2%.
 */
const TEXT_BATCH = 500;
const TEXT_BUDGET_MS = 1;
const TEXT_CHARS_PER_MERGE_PAGE = 400;
const TEXT_MERGE_SLICE_PAGES = 8;
/** With a slice due and no write group coming, a write of its own carries it after this long. */
const TEXT_CARRY_MS = 5;
/** That write: it writes nothing itself, and the slice runs at the end of its group (runWrites). */
const carryText = async () => undefined;

/**
 * How long a write waits for the lock held by another connection (another process; until 12-07 also the checkpoint
 * worker's RESTART, which now runs on this connection). SQLite's own wait (busy_timeout) adds up the sleeps it asked
 * for, not the time that passed, and a signal cuts a sleep short: under `node --cpu-prof` (a signal every
 * millisecond) its 5 s were over in ~70 ms, measured, and writes failed with SQLITE_BUSY while the checkpoint worker
 * held the lock. So a transaction that writes begins
 * in beginWrite, which tries again by the clock until the deadline, letting the event loop run in between.
 */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * SQLite's own wait, once the database is open (migrations wait the full BUSY_TIMEOUT_MS), and the pause between two
 * tries of beginWrite. SQLite's wait sleeps on this thread and backs off (1, 2, 5, 10 ms…): while another
 * connection held the lock for a millisecond or two (then a text indexer on a worker thread), CreateCase spent 12% of
 * the request thread asleep in BEGIN IMMEDIATE (CPU profile). A short wait here, then tries every millisecond, follow
 * the lock closely and let the event loop run meanwhile. Reads need no lock in WAL mode.
 */
const BUSY_SPIN_MS = 1;

/** Page caches of a bulk load (negative: KiB), while loading the batches and while building the indexes. */
const BULK_CACHE_KIB = -262_144;
const INDEX_BUILD_CACHE_KIB = -8_192;
const BULK_MMAP_BYTES = 64 * 2 ** 30;
/**
 * How long a bulk load's transactions wait for the lock held by another connection (requests wait 5 s): the load
 * holds the store anyway, and failing it after minutes of work for a wait of seconds helps nobody.
 */
const BULK_BUSY_TIMEOUT_MS = 60_000;

/**
 * The search rows of new cases (values, tags, search_cases, the text indexer's marks) are written in batches
 * (docs/search.md, "Search rows in batches"): by the write group in which SEARCH_BATCH new cases are waiting, by the
 * first group SEARCH_DELAY_MS after one, and before any search. A batch shares the pages that each group would dirty
 * on its own, the last pages of each value run above all: bench:pages counted 19.1 pages a CreateCase in groups of
 * 4, more than half of them the value index's, and 11.3 with batches of 64.
 */
export const SEARCH_BATCH = 64;
const SEARCH_DELAY_MS = 100;
/**
 * A group writes search rows for at most this long (and ends the case it is at), so that a batch of unusually large
 * cases cannot hold its group's requests long: 64 cases of bench:api's CreateCase (12 value rows each) take ~3 ms.
 */
const SEARCH_BUDGET_MS = 4;

/**
 * Thrown by a search in a read while case writes wait for their search rows: the read is undone, the rows written,
 * and the read run again (runRead), so that a search sees every write acknowledged before it.
 */
class SearchBehind extends Error {}

/** Resolves in the check phase of the event loop's next turn, after its poll for I/O. */
const nextTurn = () => new Promise<void>((next) => setImmediate(next));

const isBusy = (e: unknown) => (e as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly st: { [K in keyof typeof SQL]: Database.Statement };
  private readonly tx: Tx;
  /** The case search index (search-sql.ts), kept in the same transactions as the cases. */
  private readonly search: SearchIndex;
  /** WAL checkpoints in a worker thread (checkpointer.ts); none for an in-memory database. */
  private readonly checkpointer?: Checkpointer;
  private readonly jobs: Job[] = [];
  private readonly dynamic = new Map<string, Database.Statement>();
  /**
   * Resource rows by kind, scope and id as last read (null: none), since every request reads its domain and case
   * writes read each field and the template: a look-up took ~10 µs against ~1 µs to parse the row (measured), and
   * CreateCase makes 15. Rows, not records: each read parses its own copy, which no other caller shares. Forgotten
   * with every rolled-back transaction or savepoint (forget), every resource written, and every commit of another
   * connection (PRAGMA data_version, checked as each transaction begins).
   */
  private readonly resourceRows = new Map<string, Row | null>();
  private dataVersion = -1;
  /** The running drain of `jobs`, if any. */
  private draining?: Promise<void>;
  private readonly textIndexDelayMs: number | false;
  private readonly searchBatchDelayMs: number | false;
  /** The text indexer's delay after a write (scheduleTextIndex), and the carry of a due slice (carryTextSlice). */
  private textIndexTimer?: NodeJS.Timeout;
  private textCarryTimer?: NodeJS.Timeout;
  /** Pending cases are to be indexed now: every write group runs a slice until none is left (runTextSlice). */
  private textIndexDue = false;
  /** FTS5 merge pages owed for the documents indexed so far; paid a slice at a time. Lost on restart, harmlessly. */
  private textMergeDebt = 0;
  /**
   * The cases created since the last batch, whose search rows wait for the next one (writeSearchBatch), by domain and
   * case id: each as its last write wrote its row.
   */
  private readonly searchWaiting = new Map<string, CaseParams>();
  /**
   * What the write running in a group replaced in searchWaiting, to put back should it roll back (a failed write is
   * common: a validation error). Null once a batch ran inside the write: then the table is the truth (searchUndone).
   */
  private searchUndoLog: [string, CaseParams | undefined][] | null = [];
  /**
   * search_dirty may list cases that searchWaiting does not hold (a group or a batch rolled back, the last run ended
   * before its batch, another connection wrote): the next batch indexes every case listed again from its row, and
   * updates meanwhile wait with it.
   */
  private searchUnknown = false;
  /** The next write group writes a batch (SEARCH_DELAY_MS after the first waiting write). */
  private searchBatchDue = false;
  private searchBatchTimer?: NodeJS.Timeout;
  /** A write group holds the connection: a search in it writes the batch in place. */
  private writing = false;
  /** A read runs again after its search had a batch written: it searches the rows as they are (runRead). */
  private searchMayLag = false;
  private closed = false;
  /** The database file; undefined in memory. */
  private readonly file: string | undefined;

  constructor(opts: SqliteOptions) {
    // better-sqlite3 calls `verbose` with the statement's SQL text; its typings only say `unknown`.
    const options = { verbose: opts.verbose as Database.Options['verbose'] };
    if (opts.dataDir === ':memory:') {
      this.db = new Database(':memory:', options);
    } else {
      mkdirSync(opts.dataDir, { recursive: true });
      this.file = join(opts.dataDir, 'opencases.db');
      this.db = new Database(this.file, options);
      this.db.pragma('journal_mode = WAL');
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Group commit gives each write a savepoint, and SQLite keeps the prior content of every page a savepoint
    // changes in a sub-journal: in memory up to 64 KiB, then in a temp file. A case write changes ~25 pages, so
    // every group opened, wrote and deleted a file in /var/tmp, two writes per page (9,061 pwrite calls against the
    // WAL's 5,807 in 2 s of CreateCase, strace). In memory it is ~100 KB per write, freed at its RELEASE. Temporary
    // tables and indexes of queries (DISTINCT, IN lists, materialised subqueries) live in memory too.
    this.db.pragma('temp_store = MEMORY');
    this.migrate();
    this.db.pragma(`busy_timeout = ${BUSY_SPIN_MS}`);
    this.st = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, this.db.prepare(sql)])) as any;
    this.search = new SearchIndex(this.db, opts.searchSets);
    this.textIndexDelayMs = opts.textIndexDelayMs ?? 100;
    this.searchBatchDelayMs = opts.searchBatchDelayMs ?? SEARCH_DELAY_MS;
    this.tx = this.makeTx();
    // An in-memory database has no WAL (this.file is undefined).
    if (this.file && opts.checkpoints === false) {
      this.db.pragma('wal_autocheckpoint = 0');
    } else if (this.file) {
      this.checkpointer = startCheckpointer(this.db, this.file, (message) => process.emitWarning(message), {
        // Between two transactions of the queue: a RESTART checkpoint on this connection (checkpointer.ts).
        runOnConnection: (job) => {
          if (!this.closed) void this.enqueue('exclusive', async () => job());
        },
      });
    }
    // Cases left pending by the last run (the rows are durable with the cases): the indexer resumes.
    if (this.search.hasPendingText()) this.scheduleTextIndex(0);
    // Case writes of the last run whose search rows were not written yet: so are they.
    if (this.search.hasDirtyCases()) {
      this.searchUnknown = true;
      this.scheduleSearchBatch(0);
    }
  }

  private migrate() {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > migrations.length) {
      throw new Error(`The database schema (version ${current}) is newer than this opencases (version ${migrations.length}); upgrade opencases.`);
    }
    for (let v = current; v < migrations.length; v++) {
      this.db.transaction(() => {
        this.db.exec(migrations[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
    // A bulk load cut short leaves some search indexes dropped (loadCases); the rest are no-ops.
    for (const index of searchIndexes) this.db.exec(index.create);
  }

  /**
   * Bulk load: inserts many new cases (with their search index, as insertCase does) far faster than one
   * transaction per case, for seeding (docs/search.md, "Bulk loading"). It holds the store for
   * its whole duration; other requests wait. Each batch commits on its own, with synchronous=NORMAL, and the load
   * is durable when the promise resolves (the last commit syncs the WAL under FULL again). Secondary search indexes
   * are dropped for the load and built again at its end, also when it fails; the text index is built on the
   * second core (bulk-text.ts) when the database has none yet, else left to the store's text indexer.
   * Duplicate case ids or reference numbers fail the batch that holds them, and the load stops there.
   */
  loadCases(batches: AsyncIterable<CaseRecord[]> | Iterable<CaseRecord[]>, progress?: (p: LoadProgress) => void): Promise<number> {
    // The load's cases stay pending until its own text index lands (bulk-text.ts). The text indexer runs through the
    // same queue, so it cannot take them meanwhile.
    return this.enqueue('exclusive', () => this.load(batches, progress));
  }

  /** loadCases' work. */
  private async load(batches: AsyncIterable<CaseRecord[]> | Iterable<CaseRecord[]>, progress?: (p: LoadProgress) => void): Promise<number> {
    // The load's cases take numbers after those of the writes before it, also of another connection's whose batch
    // has not been written: only a transaction tells whether there are any (noticeOtherWriters).
    await this.writeSearchBatchAlone();
    let text: BulkText | undefined = this.file && this.search.textIndexEmpty() ? startBulkText(this.file) : undefined;
    const dropText = (e: unknown) => {
      process.emitWarning(`bulk text index abandoned, the text indexer takes over: ${e instanceof Error ? e.message : String(e)}`);
      void text?.stop();
      text = undefined;
    };
    let loaded = 0;
    const cacheSize = this.db.pragma('cache_size', { simple: true });
    this.db.pragma('synchronous = NORMAL');
    // Room for the primary key indexes, which take the cases' ids in random order.
    this.db.pragma(`cache_size = ${BULK_CACHE_KIB}`);
    // Pages evicted from the cache are read back from the OS without a system call each: 22% off the loading at
    // 200,000 cases, measured. Only here: a disk error under a memory map ends the process (SIGBUS), which a
    // load, acknowledged only at its end, can afford and a serving store should not.
    this.db.pragma(`mmap_size = ${BULK_MMAP_BYTES}`);
    for (const index of searchIndexes) await this.writeTransaction(BULK_BUSY_TIMEOUT_MS, () => this.db.exec(index.drop));
    try {
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        const docs = await this.writeTransaction(BULK_BUSY_TIMEOUT_MS, () => {
          // Another connection may have created cases since the last batch (between two batches the file is free):
          // they take their numbers before this batch's, in the order they were created.
          this.noticeOtherWriters();
          this.catchUpSearch();
          for (const c of batch) {
            this.st.loadCase.run(c.domainId, c.caseId, c.templateId, c.referenceNumber, c.createdTime, c.lastUpdatedTime, JSON.stringify(c.fields), JSON.stringify(c.tags));
          }
          return this.search.loadCases(batch);
        });
        loaded += batch.length;
        if (text) await text.add(docs).catch(dropText);
        progress?.({ loaded, phase: 'cases' });
      }
    } catch (e) {
      this.forget();
      // The batch undone may have written search rows of waiting cases: the next batch goes by search_dirty.
      this.searchUndone();
      throw e;
    } finally {
      try {
        text?.seal();
        progress?.({ loaded, phase: 'indexes' });
        // SQLite sorts for CREATE INDEX within the page cache: a small one sorts twice as fast as a large one,
        // measured (2.2 against 4.8 s for 2.2 million values), its runs staying in the CPU caches. A helper
        // thread may sort too: the text worker is done by then or nearly (13% faster, measured).
        this.db.pragma(`cache_size = ${INDEX_BUILD_CACHE_KIB}`);
        // SQLite's sorter takes no helper thread while temporary storage is in memory (the store's setting).
        this.db.pragma('temp_store = FILE');
        this.db.pragma('threads = 1');
        for (const index of searchIndexes) await this.writeTransaction(BULK_BUSY_TIMEOUT_MS, () => this.db.exec(index.create));
        progress?.({ loaded, phase: 'text' });
        if (text && loaded > 0) await text.finish().catch(dropText);
      } finally {
        await text?.stop();
        this.db.pragma('threads = 0');
        this.db.pragma('temp_store = MEMORY');
        this.db.pragma(`cache_size = ${cacheSize}`);
        this.db.pragma('mmap_size = 0');
        this.db.pragma('synchronous = FULL');
        // A commit under FULL syncs the WAL, and with it every batch committed under NORMAL before it, also
        // those before a failed one.
        await this.writeTransaction(BULK_BUSY_TIMEOUT_MS, () => this.st.setMeta.run('last_bulk_load', new Date().toISOString()));
        this.search.sets.clear();
        // Cases left pending (no bulk text index, or it was not copied) go to the indexer as usual.
        if (this.search.hasPendingText()) this.scheduleTextIndex(0);
      }
    }
    return loaded;
  }

  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue('write', fn);
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue('read', fn);
  }

  /**
   * One queue serialises all use of the connection, also across awaits inside a transaction. It is drained
   * from the next turn of the event loop, so that the writes of requests that arrived together are queued by
   * then and can share a commit (runWrites). A drain that a write begins waits one turn more: the event loop
   * then reads the requests that came in while this turn's ran, and their writes join the group too. A COMMIT
   * costs a sync and a page for every B-tree page the group changed, and the writes of a group share both (the
   * last page of each value run, of the cases, of the audit): under bench:api's CreateCase at concurrency 4,
   * 3.2 writes a group instead of 2.0 and ~430 µs of COMMIT a write instead of ~640 (docs/performance-history.md,
   * "A write group's parts, and its pages").
   */
  private enqueue<T>(kind: Job['kind'], fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind, fn, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= (kind === 'write' ? nextTurn().then(nextTurn) : nextTurn()).then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const job = this.jobs.shift();
      if (!job) {
        // Cleared in the same turn as the queue was found empty: a job queued later starts a new drain.
        this.draining = undefined;
        return;
      }
      if (job.kind === 'exclusive') await job.fn(this.tx).then(job.resolve, job.reject);
      else if (job.kind === 'write') await this.runWrites(job);
      else await this.runRead(job);
    }
  }

  private async runRead(job: Job): Promise<void> {
    for (let batches = 0; ; batches++) {
      this.st.begin.run();
      this.noticeOtherWriters();
      // Run again after a batch, a search takes the rows as they are: only another process can have added to them.
      this.searchMayLag = batches > 0;
      try {
        const result = await job.fn(this.tx);
        this.st.commit.run();
        job.resolve(result);
      } catch (e) {
        if (this.db.inTransaction) this.st.rollback.run();
        if (e instanceof SearchBehind) {
          try {
            await this.writeSearchBatchAlone();
            continue;
          } catch (failed) {
            e = failed;
          }
        }
        this.forget();
        job.reject(e);
      } finally {
        this.searchMayLag = false;
      }
      return;
    }
  }

  /**
   * Group commit: the writes waiting in the queue run one after the other in one transaction, each in a
   * savepoint of its own so that a failing one is undone alone (and answered at once), and the others are
   * answered after the one COMMIT that makes them durable together. No write is acknowledged before it is on
   * disk, and reads never run inside a group, so nothing uncommitted is ever served. On a disk that takes
   * milliseconds per sync this is what lets concurrent writers through: they share the sync.
   */
  private async runWrites(first: Job): Promise<void> {
    const done: { job: Job; result: unknown }[] = [];
    /** The write taken from the queue and not yet in `done` nor answered. */
    let pending: Job | undefined = first;
    try {
      await this.beginWrite(BUSY_TIMEOUT_MS);
      this.writing = true;
      this.noticeOtherWriters();
      while (pending) {
        const job: Job = pending;
        this.searchUndoLog = [];
        this.st.savepoint.run();
        try {
          done.push({ job, result: await job.fn(this.tx) });
          pending = undefined;
          this.st.release.run();
        } catch (e) {
          pending = undefined;
          job.reject(e);
          this.st.rollbackToSavepoint.run();
          this.st.release.run();
          this.forget();
          this.undoSearchWaiting();
        }
        if (done.length < MAX_GROUP_COMMIT && this.jobs[0]?.kind === 'write') pending = this.jobs.shift();
      }
      if (this.searchBatchDue || this.searchWaiting.size >= SEARCH_BATCH) this.runSearchBatch();
      if (this.textIndexDue || this.textMergeDebt > 0) this.runTextSlice(done.every((d) => d.job.fn === carryText));
      this.st.commit.run();
    } catch (e) {
      // A failed BEGIN, savepoint statement or COMMIT: nothing of the group is written.
      if (this.db.inTransaction) this.st.rollback.run();
      // A slice of the text indexer in it is undone too; its cases are pending still.
      this.scheduleTextIndex(1000);
      this.forget();
      this.searchUndone();
      this.search.sets.settle();
      for (const d of done) d.job.reject(e);
      pending?.reject(e);
      return;
    } finally {
      this.writing = false;
    }
    // Before any answer and before the next job: searches must see sets equal to what was just committed.
    this.search.sets.settle();
    for (const d of done) d.job.resolve(d.result);
  }

  /** Whether case writes wait for their search rows (writeSearchBatch). */
  private searchWaits(): boolean {
    return this.searchWaiting.size > 0 || this.searchUnknown;
  }

  /**
   * Notes a case write whose search rows wait for the next batch, durably in search_dirty (migration 13), and in
   * searchWaiting unless the next batch goes by the table anyway.
   */
  private deferSearch(row: CaseParams): void {
    this.search.markDirty(row.domainId, row.caseId);
    if (!this.searchUnknown) {
      const key = waitingKey(row);
      this.searchUndoLog?.push([key, this.searchWaiting.get(key)]);
      this.searchWaiting.set(key, row);
    }
    this.scheduleSearchBatch();
  }

  /**
   * An update's search rows. A case whose search rows exist has them refreshed in the update's own transaction, as
   * before batches: the entries it replaces are on random pages, which a batch hardly shares (bench:pages: 14.5
   * frames an UpdateCase, 13.8 in batches of at most 2 ms), while a batch's 2 ms in a group put UpdateCase's p99 ~2 ms
   * higher (docs/performance.md, "Search rows in batches"). A case created since the last batch, or any while the
   * store goes by search_dirty, waits with the batch.
   */
  private updateSearch(row: CaseParams, c: CaseRecord, changed: string[]): void {
    if (this.searchUnknown || this.searchWaiting.has(waitingKey(row))) return this.deferSearch(row);
    this.search.reindexCase(c, changed);
    this.scheduleTextIndex();
  }

  /**
   * A rolled-back write or batch may have written some of what searchWaiting holds, or left cases in search_dirty that
   * it does not: the next batch goes by the table.
   */
  private searchUndone(): void {
    this.searchUndoLog = null;
    this.searchWaiting.clear();
    this.searchUnknown = true;
    // Not at once: after a failed group or batch, a retry a moment later, not in a loop (a due batch waits for a group).
    this.scheduleSearchBatch();
  }

  /** After a write rolled back to its savepoint: searchWaiting as it was before the write. */
  private undoSearchWaiting(): void {
    if (this.searchUndoLog === null) return this.searchUndone();
    for (const [key, waiting] of this.searchUndoLog.reverse()) {
      if (waiting) this.searchWaiting.set(key, waiting);
      else this.searchWaiting.delete(key);
    }
    this.searchUndoLog = [];
  }

  private scheduleSearchBatch(delayMs?: number): void {
    if (this.closed || this.searchBatchDelayMs === false || this.searchBatchTimer || this.searchBatchDue) return;
    this.searchBatchTimer = setTimeout(() => {
      this.searchBatchTimer = undefined;
      this.searchBatchDue = true;
      this.carryTextSlice();
    }, delayMs ?? this.searchBatchDelayMs);
    // The waiting cases are durable in search_dirty; a process that exits before their batch writes it on its next start.
    this.searchBatchTimer.unref();
  }

  /**
   * Writes the search rows of waiting case writes, in the write transaction open on the connection: of all of them, or
   * of those it gets to in `budgetMs`, oldest first (the rest wait for the next group). From the rows as written
   * (searchWaiting), or, when that is not the whole of search_dirty, of every case the table lists, from its row.
   */
  private writeSearchBatch(budgetMs = Infinity): void {
    if (this.searchUnknown) {
      for (const r of this.search.dirtyCaseRows()) this.search.reindexWhole(toCase(r as Row));
      this.searchWaiting.clear();
      this.searchUnknown = false;
    } else {
      const started = performance.now();
      const handled: [domainId: string, caseId: string][] = [];
      for (const [key, row] of this.searchWaiting) {
        // A case created since the last batch has no search rows: another connection's batch could have written
        // them, but a commit of another connection makes this one go by the table (noticeOtherWriters).
        this.search.indexCase({ ...row, fields: JSON.parse(row.fields), tags: JSON.parse(row.tags) });
        this.searchWaiting.delete(key);
        handled.push([row.domainId, row.caseId]);
        if (performance.now() - started > budgetMs) break;
      }
      if (this.searchWaiting.size > 0) this.search.clearDirtyCases(handled);
    }
    if (this.searchWaiting.size === 0) {
      this.search.clearDirty();
      this.searchBatchDue = false;
      clearTimeout(this.searchBatchTimer);
      this.searchBatchTimer = undefined;
    }
    // Undoing the write this batch ran in, if it did, would undo the batch too: then the table is the truth.
    this.searchUndoLog = null;
    // The batch marked text documents for the indexer.
    this.scheduleTextIndex();
  }

  /**
   * A batch at the end of a write group, in a savepoint: a failure is reported and leaves the group's writes to commit.
   * It stops after SEARCH_BUDGET_MS, so that no group's requests wait long for it.
   */
  private runSearchBatch(): void {
    this.st.savepoint.run();
    try {
      this.writeSearchBatch(SEARCH_BUDGET_MS);
      this.st.release.run();
    } catch (e) {
      this.st.rollbackToSavepoint.run();
      this.st.release.run();
      this.forget();
      this.searchUndone();
      process.emitWarning(`search rows failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Before what reads the search rows or removes cases from them, in a write: the whole waiting batch, in place. */
  private catchUpSearch(): void {
    if (this.searchWaits()) this.writeSearchBatch();
  }

  /**
   * The waiting batch, if any, in a write transaction of its own, outside a write group (before a search in a read, a
   * bulk load). Another connection's commit, noticed as the transaction begins, may leave it cases to write.
   */
  private async writeSearchBatchAlone(): Promise<void> {
    try {
      await this.writeTransaction(BUSY_TIMEOUT_MS, () => {
        this.noticeOtherWriters();
        this.catchUpSearch();
      });
    } catch (e) {
      this.forget();
      this.searchUndone();
      throw e;
    } finally {
      this.search.sets.settle();
    }
  }

  /** Drops what is cached of the tables when a transaction or savepoint rolls back: it may hold what was undone. */
  private forget(): void {
    this.search.forget();
    this.resourceRows.clear();
  }

  /**
   * Drops what is cached of the tables (resource rows, match sets) if another connection has committed since the last
   * transaction began: PRAGMA data_version moves with every commit but the connection's own. Run first in each
   * transaction, the pragma also begins its snapshot, so nothing it reads predates the check.
   */
  private noticeOtherWriters(): void {
    const version = this.st.dataVersion.pluck().get() as number;
    if (version !== this.dataVersion) {
      this.resourceRows.clear();
      this.search.sets.clear();
      // The other connection may have written cases whose search rows wait in search_dirty, or written a batch of the
      // cases waiting here and changed them since: what this one holds of its waiting writes is not the truth any more.
      if (this.searchWaiting.size > 0 || this.search.hasDirtyCases()) {
        this.searchWaiting.clear();
        this.searchUnknown = true;
      }
    }
    this.dataVersion = version;
  }

  /**
   * BEGIN IMMEDIATE, tried again until `timeoutMs` have passed by the clock while the lock is busy (BUSY_TIMEOUT_MS).
   */
  private async beginWrite(timeoutMs: number): Promise<void> {
    const started = performance.now();
    for (;;) {
      try {
        this.st.beginImmediate.run();
        return;
      } catch (e) {
        if (!isBusy(e) || performance.now() - started >= timeoutMs) throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, BUSY_SPIN_MS));
    }
  }

  /** `fn` in a write transaction begun by beginWrite: committed when it returns, rolled back when it throws. */
  private async writeTransaction<T>(timeoutMs: number, fn: () => T): Promise<T> {
    await this.beginWrite(timeoutMs);
    try {
      const result = fn();
      this.st.commit.run();
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.st.rollback.run();
      throw e;
    }
  }

  /**
   * Makes the text indexer due `delayMs` from now (by default the store's delay after a write), unless it is
   * already due or its timer runs. Under steady writes each first slice then takes the cases of about one delay
   * together, one FTS5 segment for them all.
   */
  private scheduleTextIndex(delayMs?: number): void {
    if (this.closed || this.textIndexDelayMs === false || this.textIndexTimer || this.textIndexDue) return;
    this.textIndexTimer = setTimeout(() => {
      this.textIndexTimer = undefined;
      this.textIndexDue = true;
      this.carryTextSlice();
    }, delayMs ?? this.textIndexDelayMs);
    // Pending cases are durable; a process that exits before indexing them resumes on its next start.
    this.textIndexTimer.unref();
  }

  /**
   * A slice is due: the next write group runs it. Should none come within `delayMs` (an idle store), an empty
   * write (carryText) makes a group for it. Waiting lets request groups carry the slices under load, instead of
   * groups of their own that would each add a COMMIT and its sync; after a group of its own the next slice need not
   * wait.
   */
  private carryTextSlice(delayMs = TEXT_CARRY_MS): void {
    if (this.closed || this.textCarryTimer) return;
    this.textCarryTimer = setTimeout(() => {
      this.textCarryTimer = undefined;
      if (this.textIndexDue || this.textMergeDebt > 0 || this.searchBatchDue) void this.write(carryText).catch(() => {});
    }, delayMs);
    this.textCarryTimer.unref();
  }

  /**
   * One slice of the text indexer inside a write group, in a savepoint of its own: a failure is reported and leaves
   * the group's writes to commit. The pending cases stay pending (they are durable), to be tried again in a second.
   */
  private runTextSlice(carried: boolean): void {
    clearTimeout(this.textCarryTimer);
    this.textCarryTimer = undefined;
    this.st.savepoint.run();
    try {
      if (this.textIndexDue) {
        const { chars, stoppedEarly } = this.search.indexPendingText(TEXT_BATCH, TEXT_BUDGET_MS);
        this.textMergeDebt += Math.ceil(chars / TEXT_CHARS_PER_MERGE_PAGE);
        this.textIndexDue = stoppedEarly;
      }
      const pages = Math.min(this.textMergeDebt, TEXT_MERGE_SLICE_PAGES);
      if (pages > 0) this.search.mergeText(pages);
      this.textMergeDebt -= pages;
      this.st.release.run();
    } catch (e) {
      this.st.rollbackToSavepoint.run();
      this.st.release.run();
      this.textIndexDue = false;
      this.textMergeDebt = 0;
      process.emitWarning(`search text indexing failed: ${e instanceof Error ? e.message : String(e)}`);
      this.scheduleTextIndex(1000);
      return;
    }
    if (this.textIndexDue || this.textMergeDebt > 0) this.carryTextSlice(carried ? 0 : TEXT_CARRY_MS);
  }

  /** Loads the search's match sets of large domains now (SearchIndex.warmUp): the server does it when it starts. */
  warmUp(): Promise<{ domainId: string; cases: number; ms: number }[]> {
    return this.read(async () => this.search.warmUp());
  }

  /** Writes the search rows of the case writes waiting for their batch now (tests and benchmarks look at them). */
  async writeSearchRows(): Promise<void> {
    await this.write(async () => this.catchUpSearch());
  }

  /** Indexes every pending case now, in large transactions: for bulk loads, so that they end fully indexed. */
  async indexAllText(): Promise<void> {
    await this.writeSearchRows();
    while (await this.write(async () => this.search.indexPendingText(20_000, Infinity).handled > 0));
  }

  async close(): Promise<void> {
    // Waiting search rows are written now, so that the next start need not index their cases again from the rows.
    if (!this.closed && this.searchWaits()) {
      this.searchBatchDue = true;
      void this.write(carryText).catch(() => {});
    }
    this.closed = true;
    clearTimeout(this.textIndexTimer);
    clearTimeout(this.textCarryTimer);
    clearTimeout(this.searchBatchTimer);
    this.textIndexTimer = this.textCarryTimer = this.searchBatchTimer = undefined;
    await this.draining;
    // The checkpoint worker's connection goes first, so that closing the last one checkpoints and removes the WAL.
    await this.checkpointer?.stop();
    this.db.close();
  }

  /** Runs SQLite's own integrity check; "ok" when the file is sound. */
  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  /** The prepared statement of a dynamic SQL text, prepared once; the oldest is dropped when there are too many. */
  private prepared(sql: string): Database.Statement {
    let stmt = this.dynamic.get(sql);
    if (!stmt) {
      if (this.dynamic.size >= MAX_DYNAMIC_STATEMENTS) this.dynamic.delete(this.dynamic.keys().next().value!);
      stmt = this.db.prepare(sql);
      this.dynamic.set(sql, stmt);
    }
    return stmt;
  }

  private makeTx(): Tx {
    const st = this.st;
    const search = this.search;
    const deferSearch = (row: CaseParams) => this.deferSearch(row);
    const updateSearch = (row: CaseParams, c: CaseRecord, changed: string[]) => this.updateSearch(row, c, changed);
    const catchUpSearch = () => this.catchUpSearch();
    const searchIsBehind = () => this.searchWaits() && !this.searchMayLag;
    const writing = () => this.writing;
    const prepared = (sql: string) => this.prepared(sql);
    const resourceRows = this.resourceRows;
    const indexTextSoon = () => this.scheduleTextIndex();
    return {
      async getMeta(key) {
        return (st.getMeta.get(key) as Row | undefined)?.value;
      },
      async setMeta(key, value) {
        st.setMeta.run(key, value);
      },

      async getResource<T>(kind: ResourceKind, scope: string, id: string) {
        const key = resourceKey(kind, scope, id);
        let r = resourceRows.get(key);
        if (r === undefined) {
          r = (st.getResource.get(kind, scope, id) as Row | undefined) ?? null;
          if (resourceRows.size >= MAX_RESOURCE_ROWS) resourceRows.delete(resourceRows.keys().next().value!);
          resourceRows.set(key, r);
        }
        return r ? toResource<T>(r) : undefined;
      },
      async findResourceByName<T>(kind: ResourceKind, scope: string, name: string) {
        const r = st.findResourceByName.get(kind, scope, name) as Row | undefined;
        return r ? toResource<T>(r) : undefined;
      },
      async putResource(rec) {
        resourceRows.delete(resourceKey(rec.kind, rec.scope, rec.id));
        st.putResource.run({ kind: rec.kind, scope: rec.scope, id: rec.id, name: rec.name, deleted: rec.deleted ? 1 : 0, data: JSON.stringify(rec.data) });
      },
      async listResources<T>(kind: ResourceKind, scope: string, page: ListPage) {
        const stmt = page.includeDeleted ? st.listResources : st.listLiveResources;
        return (stmt.all(kind, scope, page.afterSeq ?? 0, page.limit) as Row[]).map((r) => toResource<T>(r));
      },
      async countResources(kind, scope, includeDeleted) {
        return ((includeDeleted ? st.countResources : st.countLiveResources).get(kind, scope) as Row).n;
      },
      async deleteDomainData(accountId, domainId, domainArn) {
        catchUpSearch();
        resourceRows.clear();
        st.deleteDomainResource.run(accountId, domainId);
        st.deleteScopedResources.run(domainId);
        // Option scopes are `domainId/fieldId`: a half-open range selects exactly that prefix.
        st.deleteOptionResources.run(`${domainId}/`, `${domainId}0`);
        st.deleteDomainTags.run(domainArn, `${domainArn}/`, `${domainArn}0`);
        st.deleteDomainCases.run(domainId);
        search.removeDomain(domainId);
        indexTextSoon();
        st.deleteDomainAudit.run(domainId);
        st.deleteDomainIdempotency.run(domainId);
        st.deleteDomainRelatedItems.run(domainId);
      },

      async getTags(arn) {
        const r = st.getTags.get(arn) as Row | undefined;
        return r ? JSON.parse(r.tags) : undefined;
      },
      async putTags(arn, tags) {
        st.putTags.run(arn, JSON.stringify(tags));
      },

      async insertCase(c) {
        const row = caseParams(c);
        st.insertCase.run(row);
        deferSearch(row);
      },
      async getCase(domainId, caseId) {
        const r = st.getCase.get(domainId, caseId) as Row | undefined;
        return r ? toCase(r) : undefined;
      },
      async updateCase(c, changedFieldIds) {
        const row = caseParams(c);
        st.updateCase.run(row);
        updateSearch(row, c, changedFieldIds);
      },
      async deleteCase(domainId, caseId) {
        catchUpSearch();
        st.deleteCase.run(domainId, caseId);
        search.removeCase(domainId, caseId);
        indexTextSoon();
        st.deleteCaseAudit.run(domainId, caseId);
        st.deleteCaseIdempotency.run(domainId, caseId);
        st.deleteCaseRelatedItems.run(domainId, caseId);
      },
      async referenceNumberTaken(domainId, ref) {
        return st.referenceNumberTaken.get(domainId, ref) !== undefined;
      },

      async getIdempotency(domainId, token) {
        const r = st.getIdempotency.get(domainId, token) as Row | undefined;
        return r
          ? ({ domainId: r.domain_id, token: r.token, requestHash: r.request_hash, caseId: r.case_id, createdTime: r.created_time } as IdempotencyRecord)
          : undefined;
      },
      async putIdempotency(i) {
        st.putIdempotency.run(i.domainId, i.token, i.requestHash, i.caseId, i.createdTime);
      },

      async appendAudit(a) {
        st.appendAudit.run(a.domainId, a.caseId, JSON.stringify(a.event));
      },
      async listAudit(domainId, caseId, page) {
        return (st.listAudit.all(domainId, caseId, page.beforeSeq ?? Number.MAX_SAFE_INTEGER, page.limit) as Row[]).map(
          (r): AuditRecord => ({ domainId: r.domain_id, caseId: r.case_id, event: JSON.parse(r.event), seq: r.seq }),
        );
      },

      async insertRelatedItem(r) {
        st.insertRelatedItem.run(relatedParams(r));
      },
      async getRelatedItem(domainId, caseId, relatedItemId) {
        const r = st.getRelatedItem.get(domainId, caseId, relatedItemId) as Row | undefined;
        return r ? toRelatedItem(r) : undefined;
      },
      async updateRelatedItem(r) {
        st.updateRelatedItem.run(relatedParams(r));
      },
      async deleteRelatedItem(domainId, caseId, relatedItemId) {
        st.deleteRelatedItem.run(domainId, caseId, relatedItemId);
      },
      async listRelatedItems(q) {
        const { sql, params } = listRelatedItemsSql(q);
        return (prepared(sql).all(...params) as Row[]).map(toRelatedItem);
      },
      async searchCases(q) {
        if (searchIsBehind()) {
          // A read cannot write the batch: runRead does, and runs the read again.
          if (!writing()) throw new SearchBehind();
          catchUpSearch();
        }
        const { totalCount, hits } = search.search(q);
        return {
          totalCount,
          hits: hits.map((h) => ({ record: toCase(st.getCase.get(q.domainId, h.caseId) as Row), position: h.position })),
        };
      },
      async countRelatedItems(domainId, caseId, type) {
        const row = (type ? st.countRelatedItemsOfType.get(domainId, caseId, type) : st.countRelatedItems.get(domainId, caseId)) as Row;
        return row.n;
      },
      async searchRelatedItems(q) {
        const { sql, params } = searchRelatedItemsSql(q);
        return (prepared(sql).all(...params) as Row[]).map(toRelatedItem);
      },
      async listCasesForContact(domainId, contactArn, afterCaseId, limit) {
        return (st.listCasesForContact.all(domainId, contactArn, afterCaseId, limit) as Row[]).map((r) => ({
          caseId: r.case_id,
          templateId: r.template_id,
        }));
      },

      async insertOutboxEvent(e) {
        st.insertOutboxEvent.run(e.eventId, e.domainId, e.caseId, e.createdTime, e.payload);
      },
      async fanOutEvents(sinkId) {
        st.registerSink.run(sinkId);
        st.fanOutEvents.run(sinkId, sinkId);
        st.advanceSink.run(sinkId);
        return (st.getSinkCursor.get(sinkId) as Row).cursor;
      },
      async claimDeliveries(sinkId, now, leaseUntil, limit) {
        const rows = (st.claimableDeliveries.all(sinkId, now, now, limit) as Row[]).map(toDelivery);
        for (const d of rows) st.leaseDelivery.run(leaseUntil, sinkId, d.eventSeq);
        return rows;
      },
      async completeDelivery(sinkId, eventSeq) {
        st.completeDelivery.run(sinkId, eventSeq);
      },
      async failDelivery(sinkId, eventSeq, f) {
        st.failDelivery.run({ sinkId, eventSeq, attempts: f.attempts, nextAttemptAt: f.nextAttemptAt, status: f.dead ? 'dead' : 'pending', error: f.error });
      },
      async listDeadDeliveries() {
        return (st.listDeadDeliveries.all() as Row[]).map(toDelivery);
      },
      async requeueDeadDeliveries(eventIds) {
        if (!eventIds) return st.requeueAllDead.run().changes;
        return eventIds.reduce((n, id) => n + st.requeueDeadOfEvent.run(id).changes, 0);
      },
      async discardDeadDeliveries(eventIds) {
        if (!eventIds) return st.discardAllDead.run().changes;
        return eventIds.reduce((n, id) => n + st.discardDeadOfEvent.run(id).changes, 0);
      },
      async pruneOutbox(uptoSeq) {
        st.pruneOutbox.run(uptoSeq);
      },
    };
  }
}
