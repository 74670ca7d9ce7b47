/**
 * The SQLite case search index and the SearchCases query builder (docs/search.md explains the design).
 *
 * Cases and fields get compact integer numbers (cno, fno) so that the value and tag indexes stay small at a
 * million cases: an index entry is (fno, value, cno), a few dozen bytes. A contentless FTS5 trigram table
 * (detail=none: which cases hold a trigram, not where) indexes one lower-cased document per case, its string
 * values one per line. A substring search ANDs the trigrams of its text to get a small superset of the cases,
 * then checks the values themselves.
 *
 * A query counts its matches first (totalCount is exact), then picks a plan by that count: few matches are
 * collected from the filter's indexes and sorted ("drive"); many are found by walking the sort order and
 * probing each case against the filter ("probe"), which stops after one page.
 */
import type Database from 'better-sqlite3';
import type { CaseCondition, CaseRecord, CaseSearch, CaseSearchPosition } from '../types.js';
import { indexedValue } from '../indexed-value.js';
import {
  DISTINCT_VALUE_SQL,
  MatchSets,
  caseColumnFno,
  caseStringsSql,
  fieldSource,
  hasBit,
  sameFieldCompares,
  setBits,
  type MatchSetOptions,
  type Matches,
} from './search-counts.js';

/**
 * A text document's rowid: a slot and its case number (migration 12). Slot 0 holds all the case's strings as they
 * were when it was written (at creation, by a bulk load, or again for a field without a slot); slot 1 the update
 * time; slots 2 and up the value of one field each (search_fields.slot). So an update writes documents of the
 * strings it changed, not of the whole case. The slot goes in the high bits: FTS5 stores a document list as
 * differences between consecutive rowids, which stay as small as the case numbers' within a slot (with the case
 * number high, a bulk load's index was three times larger, measured). A first document's rowid is its case number.
 */
const CASE_BITS = 40;
/** Slots from here on would take a rowid past 2^53, beyond a JavaScript number: such fields have no documents. */
const SLOT_LIMIT = 2 ** (53 - CASE_BITS);
export const WHOLE_CASE = 0;
const UPDATE_TIME = 1;
export const textKey = (cno: number, slot: number) => slot * 2 ** CASE_BITS + cno;
/** SQL for the case number of a text document's rowid, given as an SQL expression. */
const caseOfRowid = (rowid: string) => `(${rowid} & ${2 ** CASE_BITS - 1})`;
export const TEXT_CASE_OF_ROWID = caseOfRowid('rowid');

/**
 * The cases with a document holding an FTS5 query's trigrams, in either text table (migration 10). Its two
 * parameters are the same query (textQueryParams).
 */
const TEXT_DOCUMENTS_MATCHING = `SELECT ${TEXT_CASE_OF_ROWID} FROM search_text WHERE search_text MATCH ?
  UNION ALL SELECT ${TEXT_CASE_OF_ROWID} FROM search_text_recent WHERE search_text_recent MATCH ?`;

/**
 * What search_text_pending.fresh says about the older documents of what a row names (migrations 7, 10 and 12).
 * - `created`: there are none (a new case), so the indexer need not delete any.
 * - `changed`: the indexer's own table may hold one, which it replaces. The loaded table (search_text) may hold the
 *   case's first document too, and it is left there: its tombstone in the loaded segment cost ~16 µs of the
 *   indexer's 76 µs a case (docs/search.md, "Stale loaded documents"). A stale document only adds a candidate, and
 *   every use of the text index checks its candidates against the values. So does a case's first document, which
 *   keeps the values an update has changed since.
 * - `removed`: the case is gone (DeleteCase, DeleteDomain): its documents go from both tables, so that the loaded
 *   table keeps at most one stale document per live case number.
 */
export const TextState = { created: 1, changed: 0, removed: -1 } as const;

/** A pending text document as the indexer reads it; `updated` is null once the case is gone. */
type PendingText = { cno: number; slot: number; fresh: number; updated: string | null };
/** Pending rows fetched at a time by the indexer. */
const PENDING_CHUNK = 64;

/** A case a bulk load wrote: its number, its text document, and who it is (bulk-text.ts checks that it still is). */
export type LoadedCase = [cno: number, doc: string, dno: number, caseId: string];

const SQL = {
  getDomain: 'SELECT dno FROM search_domains WHERE domain_id = ?',
  domainSize: 'SELECT cases FROM search_domains WHERE dno = ?',
  domainsBySize: 'SELECT dno, domain_id, cases FROM search_domains ORDER BY cases DESC',
  countCase: 'UPDATE search_domains SET cases = cases + ? WHERE dno = ?',
  addDomain: 'INSERT INTO search_domains (domain_id) VALUES (?)',
  getField: 'SELECT fno, user, slot FROM search_fields WHERE dno = ? AND field_id = ?',
  // A field's slot in its cases' text documents (textKey): the domain's next, from 2.
  addField: `INSERT INTO search_fields (dno, field_id, user, slot)
    VALUES (@dno, @fieldId, @user, (SELECT coalesce(max(slot), ${UPDATE_TIME}) + 1 FROM search_fields WHERE dno = @dno))
    RETURNING fno, user, slot`,
  userFields: 'SELECT fno FROM search_fields WHERE dno = ? AND user = 1',
  nextUserValue: DISTINCT_VALUE_SQL.next,
  casesWithValue: DISTINCT_VALUE_SQL.cases,
  getCase: 'SELECT cno, updated FROM search_cases WHERE dno = ? AND case_id = ?',
  addCase: 'INSERT INTO search_cases (dno, case_id, updated) VALUES (?, ?, ?)',
  setUpdated: 'UPDATE search_cases SET updated = ? WHERE cno = ?',
  addValue: 'INSERT INTO search_values (cno, fno, s, n) VALUES (?, ?, ?, ?)',
  // Bulk loads bind 100 value rows per call: a quarter less time than one row per call, measured.
  addValues: `INSERT INTO search_values (cno, fno, s, n) VALUES ${Array(100).fill('(?, ?, ?, ?)').join(', ')}`,
  upsertValue: `INSERT INTO search_values (cno, fno, s, n) VALUES (?, ?, ?, ?)
    ON CONFLICT (cno, fno) DO UPDATE SET s = excluded.s, n = excluded.n`,
  deleteValue: 'DELETE FROM search_values WHERE cno = ? AND fno = ?',
  addTag: 'INSERT INTO search_tags (cno, key, value, dno) VALUES (?, ?, ?, ?)',
  getTags: 'SELECT key, value FROM search_tags WHERE cno = ?',
  putTag: `INSERT INTO search_tags (cno, key, value, dno) VALUES (?, ?, ?, ?)
    ON CONFLICT (cno, key) DO UPDATE SET value = excluded.value`,
  deleteTag: 'DELETE FROM search_tags WHERE cno = ? AND key = ?',
  deleteTags: 'DELETE FROM search_tags WHERE cno = ?',
  // The indexer writes into search_text_recent; a case's old documents may be in either table (migration 10).
  // Deleting a rowid a contentless table does not hold costs ~1 µs and changes nothing, measured.
  addText: 'INSERT INTO search_text_recent (rowid, doc) VALUES (?, ?)',
  deleteText: 'DELETE FROM search_text WHERE rowid = ?',
  deleteRecentText: 'DELETE FROM search_text_recent WHERE rowid = ?',
  markText: 'INSERT INTO search_text_pending (cno, slot, fresh) VALUES (?, ?, ?) ON CONFLICT (slot, cno) DO NOTHING',
  // A removed case's documents must all go (TextState.removed), whatever an earlier write had marked: its first, and
  // those of other slots that the indexer's table holds, found by rowid in FTS5's table of one row per document
  // (only first documents are ever in the loaded table). A document still pending is not written for a removed case.
  markRemoved: `INSERT INTO search_text_pending (cno, slot, fresh)
    SELECT @cno, ${WHOLE_CASE}, ${TextState.removed}
    UNION ALL SELECT @cno, s.slot, ${TextState.removed}
      FROM (SELECT ${UPDATE_TIME} AS slot UNION ALL SELECT slot FROM search_fields WHERE dno = @dno AND slot < ${SLOT_LIMIT}) s
      WHERE EXISTS (SELECT 1 FROM search_text_recent_docsize WHERE id = s.slot * ${2 ** CASE_BITS} + @cno)
    ON CONFLICT (slot, cno) DO UPDATE SET fresh = ${TextState.removed}`,
  markDomainRemoved: `INSERT INTO search_text_pending (cno, slot, fresh)
    SELECT cno, ${WHOLE_CASE}, ${TextState.removed} FROM search_cases WHERE dno = @dno
    UNION ALL SELECT ${caseOfRowid('id')}, id >> ${CASE_BITS}, ${TextState.removed} FROM search_text_recent_docsize
      WHERE id >= ${2 ** CASE_BITS} AND ${caseOfRowid('id')} IN (SELECT cno FROM search_cases WHERE dno = @dno)
    ON CONFLICT (slot, cno) DO UPDATE SET fresh = ${TextState.removed}`,
  // In key order (slot, then case), so that the rowids an indexer run writes rise: FTS5 starts a new segment whenever
  // a rowid is not above the last one written in the transaction (measured: 15 segments for 30 cases' 3 documents
  // each in case order, against 1), and merging those made a merged page cost ~1 ms instead of ~50 µs.
  nextPendingText: `SELECT p.cno, p.slot, p.fresh, c.updated FROM search_text_pending p LEFT JOIN search_cases c ON c.cno = p.cno
    WHERE (p.slot, p.cno) > (?, ?) ORDER BY p.slot, p.cno LIMIT ?`,
  // The text of a case's first document: its string values but those of fields marked as holding users (migration
  // 9), and the two that search_cases holds (caseColumnFno).
  caseStrings: caseStringsSql('@cno', ' AND fno NOT IN (SELECT fno FROM search_fields WHERE user = 1)'),
  // The text of a field's document: its value (none for a field marked as holding users).
  slotString: `SELECT v.s FROM search_cases c JOIN search_fields f ON f.dno = c.dno AND f.slot = ? AND f.user = 0
    JOIN search_values v ON v.cno = c.cno AND v.fno = f.fno WHERE c.cno = ?`,
  // The rows an indexer run handled are the first ones in key order, up to the last it handled.
  unmarkTextUpTo: 'DELETE FROM search_text_pending WHERE (slot, cno) <= (?, ?)',
  anyPendingText: 'SELECT EXISTS (SELECT 1 FROM search_text_pending) AS any',
  // search_text_docsize is FTS5's own table of one row per document: the cheap way to ask whether it holds any.
  noText: `SELECT NOT EXISTS (SELECT 1 FROM search_text_docsize) AND NOT EXISTS (SELECT 1 FROM search_text_recent_docsize)
    AND NOT EXISTS (SELECT 1 FROM search_text_pending) AS none`,
  // Only the indexer's own table is merged: search_text's large segment is left as it is (migration 10).
  mergeText: "INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('merge', ?)",
  deleteCaseValues: 'DELETE FROM search_values WHERE cno = ?',
  deleteCase: 'DELETE FROM search_cases WHERE cno = ?',
  deleteDomainValues: 'DELETE FROM search_values WHERE fno IN (SELECT fno FROM search_fields WHERE dno = ?)',
  deleteDomainTags: 'DELETE FROM search_tags WHERE dno = ?',
  deleteDomainCases: 'DELETE FROM search_cases WHERE dno = ?',
  deleteDomainFields: 'DELETE FROM search_fields WHERE dno = ?',
  deleteDomain: 'DELETE FROM search_domains WHERE dno = ?',
  textMatch: `${TEXT_DOCUMENTS_MATCHING} UNION SELECT cno FROM search_text_pending`,
  // The cases whose search rows wait for the next batch (migration 13).
  markDirty: 'INSERT INTO search_dirty (domain_id, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
  // Their case rows, in creation order (the cases table's rowid): a batch numbers the cases it indexes in its order,
  // and searches break ties by those numbers. Cases deleted since are left out.
  dirtyCases: `SELECT c.* FROM search_dirty d
    JOIN cases c ON c.domain_id = d.domain_id AND c.case_id = d.case_id ORDER BY c.rowid`,
  anyDirty: 'SELECT EXISTS (SELECT 1 FROM search_dirty) AS any',
  clearDirty: 'DELETE FROM search_dirty',
  clearDirtyCases: 'DELETE FROM search_dirty WHERE (domain_id, case_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))',
  valueFieldIds: 'SELECT f.field_id FROM search_values v JOIN search_fields f ON f.fno = v.fno WHERE v.cno = ?',
  caseOf: 'SELECT case_id, updated FROM search_cases WHERE cno = ?',
} as const;

/**
 * The candidates of a substring search: the cases with an FTS document holding the trigrams (TEXT_DOCUMENTS_MATCHING),
 * and every case whose document the indexer has not written yet (search_text_pending). A superset either way,
 * checked against the values, so the answer is exact however far the indexer lags. Numbers of deleted cases drop
 * out in the join with search_cases.
 */
const TEXT_CANDIDATES = `(${TEXT_DOCUMENTS_MATCHING} UNION ALL SELECT cno FROM search_text_pending)`;

/**
 * The distinct trigrams (of code points) of a text that an FTS5 query can name: none for texts shorter than
 * three characters, and none holding NUL, which ends an FTS5 query string. Fewer trigrams only widen the
 * superset; the values are checked anyway.
 */
function trigrams(text: string): string[] {
  const chars = [...text];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const gram = chars.slice(i, i + 3).join('');
    if (!gram.includes('\u0000')) out.add(gram);
  }
  return [...out];
}

/** An FTS5 query for cases holding every trigram of the texts; quotes are doubled to escape them. */
const trigramQuery = (grams: string[]) => grams.map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');
/** The parameters of TEXT_DOCUMENTS_MATCHING: the same query for each text table. */
const textQueryParams = (grams: string[]) => {
  const query = trigramQuery(grams);
  return [query, query];
};

type Mode = 'drive' | 'probe';

type Hit = { caseId: string; position: CaseSearchPosition };

/** A membership test replacing a search's conditions in its SQL: the matches are already known as a set. */
interface Membership {
  sql: (cno: string) => string;
  params: unknown[];
}

/** Thrown by oc_member when a walk of the sort order has visited its budget of cases. */
class WalkTooLong extends Error {}

/** Up to this many matches are always collected and sorted: a few milliseconds, whatever their order. */
const DRIVE_ALWAYS = 20_000;

interface Key {
  /** SQL expression of the key, selected and compared for keyset pagination. */
  expr: string;
  descending: boolean;
}

/** One ordered scan of a search: its FROM clause, fixed WHERE terms, and the keys it is ordered by. */
interface Phase {
  from: string;
  fromParams: unknown[];
  where: string[];
  whereParams: unknown[];
  cno: string;
  keys: Key[];
}

export class SearchIndex {
  private readonly st: { [K in keyof typeof SQL]: Database.Statement };
  /** domain id → dno and dno → field id → fno; forgotten whenever a transaction rolls back. */
  private readonly domainNos = new Map<string, number>();
  private readonly fieldNos = new Map<number, Map<string, number>>();
  /** The field numbers known so far that are marked as holding users (migration 9). */
  private readonly userFnos = new Set<number>();
  /** The slots of the field numbers known so far (textKey). */
  private readonly fieldSlots = new Map<number, number>();
  /** Match sets of large domains (search-counts.ts); `settle` must be called after every write group. */
  readonly sets: MatchSets;
  /** The set `oc_member` tests while walking an order, and how many more cases the walk may visit. */
  private member: Uint32Array | undefined;
  private visitsLeft = 0;

  constructor(
    private readonly db: Database.Database,
    setOptions?: MatchSetOptions,
  ) {
    this.st = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as any;
    this.sets = new MatchSets(db, setOptions);
    // A walk gives up once it has visited as many cases as collecting the matches would: see pageOfSet.
    db.function('oc_member', { deterministic: false }, (cno: unknown) => {
      if (--this.visitsLeft < 0) throw new WalkTooLong();
      return hasBit(this.member!, cno as number) ? 1 : 0;
    });
    // JavaScript's toLowerCase folds all of Unicode, like the lower-cased FTS documents; SQLite's lower() only ASCII.
    db.function('oc_contains', { deterministic: true }, (s: unknown, needle: unknown) =>
      typeof s === 'string' && typeof needle === 'string' && s.toLowerCase().includes(needle) ? 1 : 0,
    );
    // All string values of a case, newline-joined, against newline-joined words: one call per case.
    db.function('oc_has_words', { deterministic: true }, (text: unknown, words: unknown) => {
      if (typeof text !== 'string' || typeof words !== 'string') return 0;
      const folded = text.toLowerCase();
      return words.split('\n').every((w) => folded.includes(w)) ? 1 : 0;
    });
  }

  /** Drops cached numbers: a rolled-back transaction may have created some that no longer exist. */
  forget(): void {
    this.domainNos.clear();
    this.fieldNos.clear();
    this.userFnos.clear();
    this.fieldSlots.clear();
  }

  private domainNo(domainId: string, create: true): number;
  private domainNo(domainId: string, create: false): number | undefined;
  private domainNo(domainId: string, create: boolean): number | undefined {
    let dno = this.domainNos.get(domainId);
    if (dno !== undefined) return dno;
    dno = (this.st.getDomain.get(domainId) as { dno: number } | undefined)?.dno;
    if (dno === undefined && create) dno = Number(this.st.addDomain.run(domainId).lastInsertRowid);
    if (dno !== undefined) this.domainNos.set(domainId, dno);
    return dno;
  }

  /** The field's number; `create` makes one if need be, marked as holding users when the value at hand is one. */
  private fieldNo(dno: number, fieldId: string, create: true, user: boolean): number;
  private fieldNo(dno: number, fieldId: string, create: false): number | undefined;
  private fieldNo(dno: number, fieldId: string, create: boolean, user = false): number | undefined {
    const caseColumn = caseColumnFno(fieldId);
    if (caseColumn !== undefined) {
      if (create) throw new Error(`${fieldId} is held in search_cases and has no value rows`);
      return caseColumn;
    }
    let fields = this.fieldNos.get(dno);
    if (!fields) this.fieldNos.set(dno, (fields = new Map()));
    let fno = fields.get(fieldId);
    if (fno !== undefined) return fno;
    let row = this.st.getField.get(dno, fieldId) as { fno: number; user: number; slot: number } | undefined;
    if (row === undefined && create) row = this.st.addField.get({ dno, fieldId, user: user ? 1 : 0 }) as typeof row;
    if (row === undefined) return undefined;
    fields.set(fieldId, row.fno);
    this.fieldSlots.set(row.fno, row.slot);
    if (row.user === 1) this.userFnos.add(row.fno);
    return row.fno;
  }

  private caseNo(dno: number, caseId: string): number | undefined {
    return (this.st.getCase.get(dno, caseId) as { cno: number } | undefined)?.cno;
  }

  /**
   * Writes a changed field's value row, and marks its text document for the indexer when the field holds strings
   * that the documents take (not a number or boolean, not a user).
   */
  private putValue(cno: number, dno: number, fieldId: string, c: CaseRecord) {
    if (caseColumnFno(fieldId) !== undefined) return;
    // Called for changed fields of an indexed case, so a value row may or may not exist.
    const v = c.fields[fieldId];
    const iv = v ? indexedValue(v) : null;
    const fno = iv ? this.fieldNo(dno, fieldId, true, v!.userArnValue !== undefined) : this.fieldNo(dno, fieldId, false);
    if (fno === undefined) return;
    if (iv) this.st.upsertValue.run(cno, fno, iv.s, iv.n);
    else this.st.deleteValue.run(cno, fno);
    // A cleared value may have been a string: its document goes. A field without a slot is in the first document only.
    if (iv?.n == null && !this.userFnos.has(fno)) {
      const slot = this.fieldSlots.get(fno)!;
      this.st.markText.run(cno, slot < SLOT_LIMIT ? slot : WHOLE_CASE, TextState.changed);
    }
  }

  private putTags(cno: number, dno: number, tags: Record<string, string | null>) {
    for (const [key, value] of Object.entries(tags)) if (value !== null && value !== undefined) this.st.addTag.run(cno, key, value, dno);
  }

  /** Writes only the tag rows that differ: most updates leave the tags as they were. */
  private refreshTags(cno: number, dno: number, tags: Record<string, string | null>) {
    const stored = new Map((this.st.getTags.all(cno) as { key: string; value: string }[]).map((t) => [t.key, t.value]));
    for (const [key, value] of Object.entries(tags)) {
      if (value === null || value === undefined) continue;
      if (stored.get(key) !== value) this.st.putTag.run(cno, key, value, dno);
      stored.delete(key);
    }
    for (const key of stored.keys()) this.st.deleteTag.run(cno, key);
  }

  indexCase(c: CaseRecord): void {
    const dno = this.domainNo(c.domainId, true);
    const cno = Number(this.st.addCase.run(dno, c.caseId, c.lastUpdatedTime).lastInsertRowid);
    this.sets.touch(dno, cno);
    this.st.countCase.run(1, dno);
    for (const [fieldId, v] of Object.entries(c.fields)) {
      const iv = caseColumnFno(fieldId) === undefined ? indexedValue(v) : null;
      if (iv) this.st.addValue.run(cno, this.fieldNo(dno, fieldId, true, v.userArnValue !== undefined), iv.s, iv.n);
    }
    this.putTags(cno, dno, c.tags);
    // A reused number's documents, if still pending, keep their row (changed or removed) and are replaced.
    this.st.markText.run(cno, WHOLE_CASE, TextState.created);
  }

  /**
   * The search rows of a batch of new cases in a bulk load (SqliteStore.loadCases): what indexCase writes, with
   * the values written 100 rows to a statement and no match-set bookkeeping (the load clears the sets). Returns
   * each case's text document for bulk-text.ts; the cases are pending for the text indexer until it lands.
   */
  loadCases(cases: CaseRecord[]): LoadedCase[] {
    const docs: LoadedCase[] = [];
    const rows: unknown[] = [];
    const added = new Map<number, number>();
    for (const c of cases) {
      const dno = this.domainNo(c.domainId, true);
      const cno = Number(this.st.addCase.run(dno, c.caseId, c.lastUpdatedTime).lastInsertRowid);
      added.set(dno, (added.get(dno) ?? 0) + 1);
      // One line per distinct string: a repeated value adds no trigram the document lacks.
      const strings = new Set<string>([c.caseId, c.lastUpdatedTime]);
      for (const [fieldId, v] of Object.entries(c.fields)) {
        const iv = caseColumnFno(fieldId) === undefined ? indexedValue(v) : null;
        if (!iv) continue;
        const fno = this.fieldNo(dno, fieldId, true, v.userArnValue !== undefined);
        rows.push(cno, fno, iv.s, iv.n);
        if (rows.length === 400) this.st.addValues.run(rows.splice(0));
        // As caseStrings: no values of fields marked as holding users (a field numbered before migration 9 is not).
        if (iv.s !== null && !this.userFnos.has(fno)) strings.add(iv.s);
      }
      this.putTags(cno, dno, c.tags);
      this.st.markText.run(cno, WHOLE_CASE, TextState.created);
      docs.push([cno, [...strings].join('\n').toLowerCase(), dno, c.caseId]);
    }
    for (let i = 0; i < rows.length; i += 4) this.st.addValue.run(rows.slice(i, i + 4));
    for (const [dno, n] of added) this.st.countCase.run(n, dno);
    return docs;
  }

  /**
   * Refreshes the values of `changedFieldIds`, the tags that differ and the update time, and marks the text
   * documents of the strings that changed (the update time among them) for the indexer.
   */
  reindexCase(c: CaseRecord, changedFieldIds: string[]): void {
    const dno = this.domainNo(c.domainId, true);
    const row = this.st.getCase.get(dno, c.caseId) as { cno: number; updated: string } | undefined;
    if (row === undefined) return this.indexCase(c);
    const { cno } = row;
    this.sets.touch(dno, cno);
    this.st.setUpdated.run(c.lastUpdatedTime, cno);
    for (const fieldId of changedFieldIds) this.putValue(cno, dno, fieldId, c);
    this.refreshTags(cno, dno, c.tags);
    if (row.updated !== c.lastUpdatedTime) this.st.markText.run(cno, UPDATE_TIME, TextState.changed);
  }

  /**
   * Brings the search rows of a case up to date with its record, whatever they held before: indexes it when it has
   * none, else refreshes every field that the record or its value rows name. For the cases of a batch whose writes
   * are not known (after a rollback, a crash, another process's writes: SqliteStore.writeSearchBatch).
   */
  reindexWhole(c: CaseRecord): void {
    const dno = this.domainNo(c.domainId, true);
    const cno = this.caseNo(dno, c.caseId);
    if (cno === undefined) return this.indexCase(c);
    const indexed = this.st.valueFieldIds.pluck().all(cno) as string[];
    this.reindexCase(c, [...new Set([...Object.keys(c.fields), ...indexed])]);
  }

  /** Notes that a case's search rows wait for the next batch (migration 13). */
  markDirty(domainId: string, caseId: string): void {
    this.st.markDirty.run(domainId, caseId);
  }

  /** The rows of the cases whose search rows wait for the next batch, oldest first (as the `cases` table holds them). */
  dirtyCaseRows(): Record<string, unknown>[] {
    return this.st.dirtyCases.all() as Record<string, unknown>[];
  }

  hasDirtyCases(): boolean {
    return (this.st.anyDirty.get() as { any: number }).any === 1;
  }

  /** After a batch: no case waits any more. */
  clearDirty(): void {
    this.st.clearDirty.run();
  }

  /** After part of a batch: these cases wait no more. */
  clearDirtyCases(cases: [domainId: string, caseId: string][]): void {
    this.st.clearDirtyCases.run(JSON.stringify(cases));
  }

  removeCase(domainId: string, caseId: string): void {
    const dno = this.domainNo(domainId, false);
    const cno = dno === undefined ? undefined : this.caseNo(dno, caseId);
    if (cno === undefined) return;
    this.sets.touch(dno!, cno);
    // The indexer removes its documents: until then they only add a candidate that the join with search_cases drops.
    this.st.markRemoved.run({ cno, dno });
    this.st.deleteCaseValues.run(cno);
    this.st.deleteTags.run(cno);
    this.st.deleteCase.run(cno);
    this.st.countCase.run(-1, dno);
  }

  removeDomain(domainId: string): void {
    const dno = this.domainNo(domainId, false);
    if (dno === undefined) return;
    this.sets.dropDomain(dno);
    this.st.markDomainRemoved.run({ dno });
    this.st.deleteDomainValues.run(dno);
    this.st.deleteDomainTags.run(dno);
    this.st.deleteDomainCases.run(dno);
    this.st.deleteDomainFields.run(dno);
    this.st.deleteDomain.run(dno);
    this.forget();
  }

  /**
   * Loads the match sets of the large domains, largest first, so that no agent's first search waits for them
   * (~1.5 s at a million cases). Returns the domains loaded and how long each took.
   */
  warmUp(): { domainId: string; cases: number; ms: number }[] {
    const warmed = [];
    for (const d of this.st.domainsBySize.all() as { dno: number; domain_id: string; cases: number }[]) {
      const started = performance.now();
      if (!this.sets.warm(d.dno, d.cases)) break;
      warmed.push({ domainId: d.domain_id, cases: d.cases, ms: Math.round(performance.now() - started) });
    }
    return warmed;
  }

  /** Whether the text index holds no document and no case waits for one (a bulk load may then build it apart). */
  textIndexEmpty(): boolean {
    return (this.st.noText.get() as { none: number }).none === 1;
  }

  /** Whether some cases wait for the indexer (indexPendingText). */
  hasPendingText(): boolean {
    return (this.st.anyPendingText.get() as { any: number }).any === 1;
  }

  /**
   * The indexer: writes the FTS documents of up to `limit` pending rows (search_text_pending: a case's first
   * document, its update time's or one field's), from the current values, and removes those of deleted cases,
   * stopping early once `budgetMs` have passed. Run in one write transaction, it adds one FTS5 segment for the whole
   * batch instead of one per case write; merging is left to mergeText (migration 7 turned automerge off). Returns
   * how many rows it handled, how many characters it wrote, and whether it stopped early (at `limit` rows or the
   * budget), leaving rows that were pending when it began.
   */
  indexPendingText(limit: number, budgetMs: number): { handled: number; chars: number; stoppedEarly: boolean } {
    const started = performance.now();
    let done = 0;
    let chars = 0;
    let last: PendingText | undefined;
    // In chunks, each after the last: a slice under load indexes a few dozen documents in its millisecond, and
    // fetching (and joining) 500 rows for each slice cost ten times its indexing (docs/performance.md).
    for (;;) {
      const wanted = Math.min(PENDING_CHUNK, limit - done);
      const rows = this.st.nextPendingText.all(last?.slot ?? -1, last?.cno ?? -1, wanted) as PendingText[];
      for (const r of rows) {
        chars += this.indexPending(r);
        done++;
        last = r;
        if (performance.now() - started > budgetMs) {
          // Stopped by the budget: more may wait, unless this was the last pending row.
          const atEnd = rows.length < wanted && r === rows[rows.length - 1];
          return this.unmarkPending(last, done, chars, !atEnd);
        }
      }
      if (rows.length < wanted) return this.unmarkPending(last, done, chars, false);
      if (done === limit) return this.unmarkPending(last, done, chars, true);
    }
  }

  /** One pending row: the older document of its slot removed, the current one written; returns its characters. */
  private indexPending(r: PendingText): number {
    const key = textKey(r.cno, r.slot);
    // Only first documents are ever in the loaded table (a bulk load writes no other).
    if (r.fresh === TextState.removed && r.slot === WHOLE_CASE) this.st.deleteText.run(key);
    if (r.fresh !== TextState.created) this.st.deleteRecentText.run(key);
    // A case is live while search_cases holds it; a reused number's documents are its new case's.
    if (r.updated === null) return 0;
    const text =
      r.slot === WHOLE_CASE
        ? // One value per line, so no word spans two values.
          (this.st.caseStrings.pluck().all({ cno: r.cno }) as string[]).join('\n')
        : r.slot === UPDATE_TIME
          ? r.updated
          : (this.st.slotString.pluck().get(r.slot, r.cno) as string | undefined);
    if (text === undefined) return 0;
    // Lower-cased like the searched text.
    this.st.addText.run(key, text.toLowerCase());
    return text.length;
  }

  /** Clears the pending rows indexed, up to `last` in key order. */
  private unmarkPending(last: PendingText | undefined, handled: number, chars: number, stoppedEarly: boolean) {
    if (last) this.st.unmarkTextUpTo.run(last.slot, last.cno);
    return { handled, chars, stoppedEarly };
  }

  /** Lets FTS5 merge about `pages` pages of the indexer's segments (search_text_recent only: migration 10). */
  mergeText(pages: number): void {
    this.st.mergeText.run(pages);
  }

  /** The case ids of one page with their positions, and the exact number of matches. */
  search(q: CaseSearch): { totalCount: number; hits: { caseId: string; position: CaseSearchPosition }[] } {
    const dno = this.domainNo(q.domainId, false);
    if (dno === undefined) return { totalCount: 0, hits: [] };
    const size = (this.st.domainSize.get(dno) as { cases: number }).cases;
    if (q.condition || q.words.length) {
      const set = this.sets.matches(dno, size, q, (fieldId) => this.fieldNo(dno, fieldId, false), (words) => this.textCandidates(dno, words));
      if (set) return { totalCount: set.count, hits: set.count === 0 ? [] : this.pageOfSet(dno, q, set, size) };
    }
    const totalCount = this.count(dno, q);
    if (totalCount === 0) return { totalCount, hits: [] };
    // Walking the sort order visits about limit × size / matches cases if matches are spread evenly; collecting
    // the matches visits each once. Matches often cluster in the order (old due dates among old cases), so a
    // walk is only chosen when collecting would be expensive too.
    const mode: Mode = totalCount > DRIVE_ALWAYS && totalCount * totalCount > q.limit * size ? 'probe' : 'drive';
    return { totalCount, hits: this.page(dno, q, mode) };
  }

  /**
   * The cases with, for every word, a document holding all its trigrams or text the indexer has not written yet,
   * and those with a user value holding one of the words (userWordCases): a superset of the cases holding the words.
   * Each word is looked up alone: a case's words may be in different documents (textKey). Undefined without
   * trigrams.
   */
  private textCandidates(dno: number, words: string[]): number[] | undefined {
    let candidates: Set<number> | undefined;
    for (const word of new Set(words)) {
      const grams = trigrams(word);
      if (!grams.length) continue;
      const cases = this.st.textMatch.pluck().all(...textQueryParams(grams)) as number[];
      candidates = candidates === undefined ? new Set(cases) : new Set(cases.filter((cno) => candidates!.has(cno)));
    }
    if (candidates === undefined) return undefined;
    for (const cno of this.userWordCases(dno, words)) candidates.add(cno);
    return [...candidates];
  }

  /**
   * The cases holding a value that contains one of the words in a field marked as holding users: the values the
   * text documents leave out (migration 9). A case holding all the words either has them all in its document or
   * is among these, so with the trigram candidates they make a superset of the matches again. Found by skipping
   * through each such field's distinct values (a few dozen to a few thousand users).
   */
  userWordCases(dno: number, words: string[]): number[] {
    const cases: number[] = [];
    for (const fno of this.st.userFields.pluck().all(dno) as number[]) {
      let value: string | undefined = '';
      // The skip (s > value) passes over '', which holds no word anyway.
      while ((value = this.st.nextUserValue.pluck().get(fno, value) as string | undefined) !== undefined) {
        const folded = value.toLowerCase();
        if (!words.some((w) => folded.includes(w))) continue;
        for (const cno of this.st.casesWithValue.pluck().iterate(fno, value) as Iterable<number>) cases.push(cno);
      }
    }
    return cases;
  }

  /**
   * One page of a search whose matches are a set. The default order is a top-k over the set's update times.
   * A sort field's order is walked testing each case against the set when that promises to be short
   * (limit × size / matches < matches); the walk gives up after visiting as many cases as there are matches
   * (clustered matches: old due dates sit among old cases) and the matches are then collected and sorted.
   */
  private pageOfSet(dno: number, q: CaseSearch, set: Matches, size: number): Hit[] {
    if (q.sorts.length === 0 && (!q.after || q.after.length === 3)) {
      const after = q.after ? { updated: q.after[1] as string, cno: q.after[2] as number } : undefined;
      const cnos = this.sets.defaultPage(dno, set, after, q.limit);
      if (cnos) {
        return cnos.map((cno) => {
          const r = this.st.caseOf.get(cno) as { case_id: string; updated: string };
          return { caseId: r.case_id, position: [0, r.updated, cno] };
        });
      }
    }
    if (set.count * set.count > q.limit * size) {
      this.member = set.bits;
      this.visitsLeft = set.count;
      try {
        return this.page(dno, q, 'probe', { sql: (cno) => `oc_member(${cno})`, params: [] });
      } catch (e) {
        if (!(e instanceof WalkTooLong)) throw e;
      } finally {
        this.member = undefined;
      }
    }
    return this.page(dno, q, 'drive', { sql: (cno) => `${cno} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(setBits(set.bits))] });
  }

  private page(dno: number, q: CaseSearch, mode: Mode, only?: Membership): Hit[] {
    const phases = this.phases(dno, q);
    const hits: Hit[] = [];
    let startPhase = 0;
    let after: CaseSearchPosition | undefined;
    if (q.after) {
      startPhase = Number(q.after[0]);
      after = q.after.slice(1);
    }
    for (let p = startPhase; p < phases.length && hits.length < q.limit; p++) {
      const rows = this.runPhase(dno, q, phases[p], mode, p === startPhase ? after : undefined, q.limit - hits.length, only);
      for (const r of rows) hits.push({ caseId: r.case_id, position: [p, ...phases[p].keys.map((_, i) => r[`k${i}`])] });
    }
    return hits;
  }

  private count(dno: number, q: CaseSearch): number {
    const c = q.condition;
    // A lone value or tag condition is counted on its own index, without visiting the cases.
    const range = c && q.words.length === 0 ? sameFieldCompares(c) : undefined;
    if (range) {
      const fno = this.fieldNo(dno, range[0].fieldId, false);
      if (fno === undefined) return 0;
      const f = fieldSource(fno, dno);
      const sql = `SELECT count(*) AS n FROM ${f.table} WHERE ${f.where()} AND ${range.map((x) => `${f.column(x.column)} ${x.op} ?`).join(' AND ')}`;
      return (this.db.prepare(sql).get(...f.params, ...range.map((x) => x.value)) as { n: number }).n;
    }
    if (q.words.length === 0 && c?.kind === 'tag') {
      const sql = `SELECT count(*) AS n FROM search_tags WHERE dno = ? AND key = ?${c.value === undefined ? '' : ' AND value = ?'}`;
      return (this.db.prepare(sql).get(dno, c.key, ...(c.value === undefined ? [] : [c.value])) as { n: number }).n;
    }
    if (q.words.length === 0 && !c) return (this.st.domainSize.get(dno) as { cases: number }).cases;
    const b = new ConditionBuilder(this, dno, 'drive');
    const where = b.matches(q, 'c.cno');
    return (this.db.prepare(`SELECT count(*) AS n FROM search_cases c WHERE c.dno = ? AND ${where}`).get(dno, ...b.params) as { n: number }).n;
  }

  /** The ordered scans of a search: the default order has one; each sort field splits cases with and without a value. */
  private phases(dno: number, q: CaseSearch): Phase[] {
    if (q.sorts.length === 0) {
      return [{ from: 'search_cases c', fromParams: [], where: ['c.dno = ?'], whereParams: [dno], cno: 'c.cno', keys: [
        { expr: 'c.updated', descending: true },
        { expr: 'c.cno', descending: true },
      ] }];
    }
    const tieDescending = q.sorts[q.sorts.length - 1].descending;
    const [first, second] = q.sorts;
    // A field without values in the domain (number 0, which none has) sorts every case into the second phase.
    const f1 = fieldSource(this.fieldNo(dno, first.fieldId, false) ?? 0, dno);
    const f2 = second ? fieldSource(this.fieldNo(dno, second.fieldId, false) ?? 0, dno) : undefined;
    // The second sort field is joined; cases without a value for it sort after those with one.
    const secondJoin = (cno: string) =>
      second && f2 ? ` LEFT JOIN ${f2.table} v2 ON v2.cno = ${cno} AND ${f2.where('v2')} AND ${f2.column(second.column, 'v2')} IS NOT NULL` : '';
    const v2 = second && f2 ? f2.column(second.column, 'v2') : '';
    const secondKeys: Key[] = second
      ? [{ expr: `(${v2} IS NULL)`, descending: false }, { expr: v2, descending: second.descending }]
      : [];
    const v1 = f1.column(first.column, 'v1');
    return [
      {
        from: `${f1.table} v1${secondJoin('v1.cno')}`,
        fromParams: f2?.params ?? [],
        where: [f1.where('v1'), `${v1} IS NOT NULL`],
        whereParams: f1.params,
        cno: 'v1.cno',
        keys: [{ expr: v1, descending: first.descending }, ...secondKeys, { expr: 'v1.cno', descending: tieDescending }],
      },
      {
        from: `search_cases c${secondJoin('c.cno')}`,
        fromParams: f2?.params ?? [],
        // Every case has a value of a field that search_cases holds: no need to look through them all for none.
        where: f1.table === 'search_cases'
          ? ['0']
          : ['c.dno = ?', `NOT EXISTS (SELECT 1 FROM ${f1.table} WHERE cno = c.cno AND ${f1.where()} AND ${f1.column(first.column)} IS NOT NULL)`],
        whereParams: f1.table === 'search_cases' ? [] : [dno, ...f1.params],
        cno: 'c.cno',
        keys: [...secondKeys, { expr: 'c.cno', descending: tieDescending }],
      },
    ];
  }

  private runPhase(dno: number, q: CaseSearch, phase: Phase, mode: Mode, after: CaseSearchPosition | undefined, limit: number, only?: Membership): any[] {
    const b = new ConditionBuilder(this, dno, mode);
    const where = [...phase.where, only ? only.sql(phase.cno) : b.matches(q, phase.cno)];
    const params: unknown[] = [...phase.fromParams, ...phase.whereParams, ...(only ? only.params : b.params)];
    if (after) {
      if (after.length !== phase.keys.length) throw new Error('search position does not fit the query');
      // Later than the position: beyond it on the first key, or equal there (IS: NULL equals NULL) and beyond on the next.
      const alternatives = phase.keys.map((key, i) => {
        const terms = phase.keys.slice(0, i).map((k, j) => {
          params.push(after[j]);
          return `${k.expr} IS ?`;
        });
        params.push(after[i]);
        terms.push(`${key.expr} ${key.descending ? '<' : '>'} ?`);
        return `(${terms.join(' AND ')})`;
      });
      where.push(`(${alternatives.join(' OR ')})`);
    }
    const select = phase.keys.map((k, i) => `${k.expr} AS k${i}`).join(', ');
    const order = phase.keys.map((k) => `${k.expr}${k.descending ? ' DESC' : ''}`).join(', ');
    // The case id comes from search_cases; phases scanning values join it by cno.
    const join = phase.cno === 'c.cno' ? '' : ` JOIN search_cases c ON c.cno = ${phase.cno}`;
    const sql = `SELECT c.case_id, ${select} FROM ${phase.from}${join} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    params.push(limit);
    return this.db.prepare(sql).all(...params);
  }

  /** For ConditionBuilder: the number of a field that has values in the domain, if any. */
  fieldNumber(dno: number, fieldId: string): number | undefined {
    return this.fieldNo(dno, fieldId, false);
  }
}

type Compare = Extract<CaseCondition, { kind: 'compare' }>;

/**
 * Turns a condition into an SQL predicate on a case number expression. In "drive" mode positive conditions
 * are `cno IN (index range)`, so SQLite can start from the matching cases; in "probe" mode they are correlated
 * EXISTS look-ups by (cno, fno), cheap per case while walking the sort order.
 */
class ConditionBuilder {
  readonly params: unknown[] = [];

  constructor(
    private readonly index: SearchIndex,
    private readonly dno: number,
    private readonly mode: Mode,
  ) {}

  matches(q: CaseSearch, cno: string): string {
    const terms: string[] = [];
    if (q.condition) terms.push(this.condition(q.condition, cno, this.mode));
    // Cases with a document holding every trigram of a word are few next to the domain: collected once per word,
    // in both modes. A case's words may be in different documents (textKey), so each word is looked up alone.
    const wordGrams = [...new Set(q.words)].map(trigrams).filter((grams) => grams.length);
    if (wordGrams.length) {
      for (const grams of wordGrams) this.params.push(...textQueryParams(grams));
      const inText = wordGrams.map(() => `${cno} IN ${TEXT_CANDIDATES}`).join(' AND ');
      const users = this.index.userWordCases(this.dno, q.words);
      if (users.length === 0) terms.push(inText);
      else {
        this.params.push(JSON.stringify(users));
        terms.push(`((${inText}) OR ${cno} IN (SELECT value FROM json_each(?)))`);
      }
    }
    if (q.words.length) {
      // The case's string values joined by newlines: words hold no whitespace, so none matches across two values.
      // An ASCII text is folded by SQLite's lower(); any other takes the JavaScript way.
      const ascii = q.words.map(() => 'instr(lower(d), ?) > 0').join(' AND ');
      this.params.push(...q.words, q.words.join('\n'));
      terms.push(`(SELECT CASE WHEN octet_length(d) = length(d) THEN ${ascii} ELSE oc_has_words(d, ?) END
        FROM (SELECT group_concat(s, char(10)) AS d FROM (${caseStringsSql(cno)})))`);
    }
    return terms.length ? terms.join(' AND ') : '1';
  }

  private condition(c: CaseCondition, cno: string, mode: Mode): string {
    switch (c.kind) {
      case 'compare':
        return this.compares([c], cno, mode);
      case 'empty': {
        const fno = this.index.fieldNumber(this.dno, c.fieldId);
        if (fno === undefined) return '1';
        const f = fieldSource(fno, this.dno);
        this.params.push(...f.params);
        return `NOT EXISTS (SELECT 1 FROM ${f.table} WHERE cno = ${cno} AND ${f.where()})`;
      }
      case 'contains': {
        const fno = this.index.fieldNumber(this.dno, c.fieldId);
        if (fno === undefined) return '0';
        const f = fieldSource(fno, this.dno);
        const s = f.column('s');
        // SQLite's lower() folds ASCII only, which is all an ASCII value needs; other values take the JavaScript way.
        const check = `EXISTS (SELECT 1 FROM ${f.table} WHERE cno = ${cno} AND ${f.where()}
          AND (instr(lower(${s}), ?) > 0 OR (octet_length(${s}) > length(${s}) AND oc_contains(${s}, ?))))`;
        const grams = trigrams(c.text);
        if (mode === 'drive' && grams.length) {
          // The trigram index narrows to cases holding the text's trigrams in any value; the check does the rest.
          this.params.push(...textQueryParams(grams), ...f.params, c.text, c.text);
          return `(${cno} IN ${TEXT_CANDIDATES} AND ${check})`;
        }
        this.params.push(...f.params, c.text, c.text);
        return check;
      }
      case 'tag': {
        const valueTerm = c.value === undefined ? '' : ' AND value = ?';
        const valueParams = c.value === undefined ? [] : [c.value];
        if (mode === 'drive') {
          this.params.push(this.dno, c.key, ...valueParams);
          return `${cno} IN (SELECT cno FROM search_tags WHERE dno = ? AND key = ?${valueTerm})`;
        }
        this.params.push(c.key, ...valueParams);
        return `EXISTS (SELECT 1 FROM search_tags WHERE cno = ${cno} AND key = ?${valueTerm})`;
      }
      case 'not':
        // A negation cannot start from an index: it is checked per case.
        return `NOT (${this.condition(c.condition, cno, 'probe')})`;
      case 'and':
      case 'or': {
        if (c.conditions.length === 0) return c.kind === 'and' ? '1' : '0';
        const range = sameFieldCompares(c);
        if (range) return this.compares(range, cno, mode);
        const parts = c.conditions.map((x) => this.condition(x, cno, mode));
        return `(${parts.join(c.kind === 'and' ? ' AND ' : ' OR ')})`;
      }
    }
  }

  /** Compares on one field, all of which must hold for the same value (the field has at most one). */
  private compares(cs: Compare[], cno: string, mode: Mode): string {
    const fno = this.index.fieldNumber(this.dno, cs[0].fieldId);
    if (fno === undefined) return '0';
    const f = fieldSource(fno, this.dno);
    const terms = cs.map((x) => `${f.column(x.column)} ${x.op} ?`).join(' AND ');
    this.params.push(...f.params, ...cs.map((x) => x.value));
    return mode === 'drive'
      ? `${cno} IN (SELECT cno FROM ${f.table} WHERE ${f.where()} AND ${terms})`
      : `EXISTS (SELECT 1 FROM ${f.table} WHERE cno = ${cno} AND ${f.where()} AND ${terms})`;
  }
}
