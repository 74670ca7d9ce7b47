/**
 * Match sets for SearchCases on large domains (docs/search.md, "Match sets"): a filter's matches as a bitset
 * over case numbers (cno), so that `totalCount` is a popcount and and/or/not are word-wise operations instead
 * of visiting every match in SQL.
 *
 * Leaf sets (a value, a range of one field, a tag, a substring of one field, the words of a searchTerm) are
 * loaded from the value, tag and trigram indexes when first needed and kept in a byte budget, least recently
 * used first out. They stay exact: every case a write touches is noted (`touch`), and after the COMMIT (or the
 * ROLLBACK) of its group `settle` reads the case back from the tables and re-tests it against every set of its
 * domain, so the sets always equal what the committed tables say. A change made by another connection (another
 * process on the same file) drops every set: the store checks `PRAGMA data_version` as each transaction begins and
 * calls `clear`.
 *
 * The default order (most recently updated first) is served from an in-memory array of update times, so a page
 * is a top-k over the matches whatever their count or place in the order.
 */
import type Database from 'better-sqlite3';
import type { CaseCondition, CaseSearch } from '../types.js';

/**
 * A field's distinct string values, one skip at a time through its value index, and the cases holding one of them:
 * for the dictionaries here and for the user values that search-sql.ts finds beside the text documents.
 */
export const DISTINCT_VALUE_SQL = {
  next: 'SELECT s FROM search_values WHERE fno = ? AND s > ? ORDER BY s LIMIT 1',
  cases: 'SELECT cno FROM search_values WHERE fno = ? AND s = ?',
} as const;

/**
 * Fields whose value search_cases holds for every case, so that they have no value rows (migration 11): the case id
 * and the update time, which the server also writes into the case's fields as `case_id` and `last_updated_datetime`.
 * Their rows were 2 of a case's ~27, and the only two of its string values that are distinct in every case: taking
 * them out made a million-case bulk load about 2 s shorter (docs/search.md, 12-07 eighth session) and every
 * UpdateCase one value row lighter. They get negative field numbers, which no stored field has.
 */
const CASE_COLUMN_FIELDS = new Map<string, { fno: number; column: string }>([
  ['case_id', { fno: -1, column: 'case_id' }],
  ['last_updated_datetime', { fno: -2, column: 'updated' }],
]);
const CASE_COLUMNS = new Map([...CASE_COLUMN_FIELDS.values()].map((f) => [f.fno, f.column]));
/** The field numbers of CASE_COLUMN_FIELDS: fields of every domain. */
export const CASE_COLUMN_FNOS = [...CASE_COLUMNS.keys()];

/** The number of a field held in search_cases, if it is one (CASE_COLUMN_FIELDS). */
export const caseColumnFno = (fieldId: string): number | undefined => CASE_COLUMN_FIELDS.get(fieldId)?.fno;

/**
 * Where a field's values are, for SQL that works on either: its rows of search_values, or a column of search_cases
 * (CASE_COLUMN_FIELDS). `where(a)` selects the field's rows of the table under alias `a`, given `params`; `column`
 * names its `s` or `n` value there (NULL for a number of a search_cases field, which has none).
 */
export interface FieldSource {
  table: 'search_values' | 'search_cases';
  where(alias?: string): string;
  params: unknown[];
  column(column: 's' | 'n', alias?: string): string;
}

export function fieldSource(fno: number, dno: number): FieldSource {
  const prefix = (alias?: string) => (alias ? `${alias}.` : '');
  const caseColumn = CASE_COLUMNS.get(fno);
  if (caseColumn) {
    return {
      table: 'search_cases',
      where: (a) => `${prefix(a)}dno = ?`,
      params: [dno],
      column: (c, a) => (c === 's' ? `${prefix(a)}${caseColumn}` : 'NULL'),
    };
  }
  return { table: 'search_values', where: (a) => `${prefix(a)}fno = ?`, params: [fno], column: (c, a) => `${prefix(a)}${c}` };
}

/**
 * All string values of the case numbered by the SQL expression `cno`, those held in search_cases included: what a
 * searchTerm's words are checked against. `valueTerm` narrows the value rows (the text documents leave out users').
 */
export const caseStringsSql = (cno: string, valueTerm = '') => `SELECT s FROM search_values WHERE cno = ${cno} AND s IS NOT NULL${valueTerm}
  UNION ALL SELECT case_id FROM search_cases WHERE cno = ${cno}
  UNION ALL SELECT updated FROM search_cases WHERE cno = ${cno}`;

/** Domains smaller than this are searched in plain SQL, which is fast at that size. */
export const ACCELERATE_FROM = 20_000;
/** Memory for cached sets and update-time arrays, all domains together. */
const BUDGET_BYTES = 96 * 1024 * 1024;
/** A field with more distinct string values than this is searched for substrings through the trigram index. */
const DICTIONARY_CAP = 3_000;

/** Tests lower these to run the sets on small domains, with few dictionaries and constant eviction. */
export interface MatchSetOptions {
  accelerateFrom?: number;
  dictionaryCap?: number;
  budgetBytes?: number;
}

type Compare = Extract<CaseCondition, { kind: 'compare' }>;

/** A case as the search tables hold it, read back after a write. */
interface CaseState {
  values: Map<number, { s: string | null; n: number | null }>;
  tags: Map<string, string>;
  updated: string;
}

/** A cached leaf set: its bits and the test that decides a case's membership after a write. */
interface LeafSet {
  bits: Uint32Array;
  test: (c: CaseState) => boolean;
}

interface DomainSets {
  dno: number;
  /** Bits per set: case numbers 0 … words × 32 − 1. */
  words: number;
  live: Uint32Array;
  /** Update time (epoch ms) by case number; NaN for none. */
  updated: Float64Array;
  /** Cases whose update time is not in the canonical `toISOString()` form, which the array cannot order. */
  oddTimes: number;
  /** Keyed as in `leafKey`; insertion order is the LRU order. */
  sets: Map<string, LeafSet>;
  /** fno → its distinct string values (a superset: values no case holds any more may stay), or 'many'. */
  dictionaries: Map<number, Set<string> | 'many'>;
  /** fno of every field of the domain that has held a value. */
  fields: Set<number> | undefined;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of an update time in the `toISOString()` form (YYYY-MM-DDTHH:MM:SS.sssZ), in whose text order SQL
 * sorts; NaN for any other text, so that only texts whose number order equals their text order are compared as
 * numbers. Parsed by hand: a million of them load at the first search of a large domain.
 */
export function timeOf(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  const num = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  };
  const year = num(0, 4), month = num(5, 7), day = num(8, 10), hour = num(11, 13), minute = num(14, 16), second = num(17, 19), ms = num(20, 23);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return NaN;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

const NON_ASCII = /[^\x00-\x7f]/;
const SURROGATE = /[\uD800-\uDFFF]/;

/** SQLite's BINARY order of two texts (UTF-8 bytes, i.e. code points); JavaScript's `<` orders UTF-16 code units. */
function compareText(a: string, b: string): number {
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(op: Compare['op'], x: string | number, value: string | number): boolean {
  const c = typeof x === 'string' ? compareText(x, value as string) : x - (value as number);
  switch (op) {
    case '=':
      return c === 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
  }
}

/** The `contains` check of search-sql.ts in JavaScript: SQLite's ASCII-only lower(), or toLowerCase for other text. */
function containsText(s: string, text: string): boolean {
  if (s.replace(/[A-Z]+/g, (m) => m.toLowerCase()).includes(text)) return true;
  return NON_ASCII.test(s) && s.toLowerCase().includes(text);
}

/** The searchTerm check of search-sql.ts for one value (its words hold no newline, so per value equals joined). */
const holdsWord = (s: string, word: string) => s.toLowerCase().includes(word);

function popcount(bits: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i];
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

const setBit = (bits: Uint32Array, cno: number) => (bits[cno >>> 5] |= 1 << (cno & 31));
const clearBit = (bits: Uint32Array, cno: number) => (bits[cno >>> 5] &= ~(1 << (cno & 31)));
export const hasBit = (bits: Uint32Array, cno: number) => (bits[cno >>> 5] & (1 << (cno & 31))) !== 0;

/** Calls `fn` with every case number set in `bits`, in ascending order. */
function forEachBit(bits: Uint32Array, fn: (cno: number) => void) {
  for (let i = 0; i < bits.length; i++) {
    let w = bits[i];
    while (w !== 0) {
      const low = w & -w;
      fn(i * 32 + 31 - Math.clz32(low));
      w ^= low;
    }
  }
}

export function setBits(bits: Uint32Array): number[] {
  const out: number[] = [];
  forEachBit(bits, (cno) => out.push(cno));
  return out;
}

/** A filter's matches: `bits` may be a cached set and must not be changed. */
export interface Matches {
  bits: Uint32Array;
  count: number;
}

/** Reads a term's trigram candidates (search-sql.ts owns the text index). */
export type TextCandidates = (words: string[]) => number[] | undefined;

export class MatchSets {
  private readonly domains = new Map<number, DomainSets>();
  /** Cases written since the last settle, by domain. */
  private readonly touched = new Map<number, Set<number>>();
  private readonly st: Record<string, Database.Statement>;

  private readonly accelerateFrom: number;
  private readonly dictionaryCap: number;
  private readonly budgetBytes: number;

  constructor(
    private readonly db: Database.Database,
    options: MatchSetOptions = {},
  ) {
    this.accelerateFrom = options.accelerateFrom ?? ACCELERATE_FROM;
    this.dictionaryCap = options.dictionaryCap ?? DICTIONARY_CAP;
    this.budgetBytes = options.budgetBytes ?? BUDGET_BYTES;
    this.st = {
      caseRow: db.prepare('SELECT dno, case_id, updated FROM search_cases WHERE cno = ?'),
      caseValues: db.prepare('SELECT fno, s, n FROM search_values WHERE cno = ?'),
      caseStrings: db.prepare(caseStringsSql('@cno')).pluck(),
      caseTags: db.prepare('SELECT key, value FROM search_tags WHERE cno = ?'),
      // The covering index is smaller to read than the table, whose rows also hold the case id.
      domainCases: db.prepare('SELECT cno, updated FROM search_cases INDEXED BY search_cases_updated WHERE dno = ?').raw(),
      maxCno: db.prepare('SELECT max(cno) FROM search_cases').pluck(),
      domainFields: db.prepare('SELECT fno FROM search_fields WHERE dno = ?').pluck(),
      withString: db.prepare(DISTINCT_VALUE_SQL.cases).pluck(),
      nextString: db.prepare(DISTINCT_VALUE_SQL.next).pluck(),
      tagKey: db.prepare('SELECT cno FROM search_tags WHERE dno = ? AND key = ?').pluck(),
      tagValue: db.prepare('SELECT cno FROM search_tags WHERE dno = ? AND key = ? AND value = ?').pluck(),
    };
  }

  /** Loads a large domain's base sets (live cases, update times) ahead of its first search; false if it is small. */
  warm(dno: number, size: number): boolean {
    return this.domain(dno, size) !== undefined;
  }

  /** Notes a case a write inserted, changed or deleted; `settle` brings the sets up to date with it. */
  touch(dno: number, cno: number): void {
    if (!this.domains.has(dno)) return;
    let set = this.touched.get(dno);
    if (!set) this.touched.set(dno, (set = new Set()));
    set.add(cno);
  }

  /** A deleted domain's sets go at once: nothing may be served from them again, committed or not. */
  dropDomain(dno: number): void {
    this.domains.delete(dno);
    this.touched.delete(dno);
  }

  /**
   * After a write group's COMMIT or ROLLBACK: re-tests every touched case against its domain's sets, from the
   * tables as they now are. Whatever part of the group was undone, the sets end equal to the committed state.
   */
  settle(): void {
    if (this.touched.size === 0) return;
    try {
      for (const [dno, cnos] of this.touched) {
        const d = this.domains.get(dno);
        if (!d) continue;
        for (const cno of cnos) this.refresh(d, cno);
      }
    } catch {
      // Sets that may have missed a change must not be served: they are loaded again when needed.
      this.clear();
    }
    this.touched.clear();
  }

  /** Drops everything: after a failure that leaves it unknown which writes were applied, or another connection's commit. */
  clear(): void {
    this.domains.clear();
    this.touched.clear();
  }

  private refresh(d: DomainSets, cno: number) {
    const row = this.st.caseRow.get(cno) as { dno: number; case_id: string; updated: string } | undefined;
    if (cno >= d.words * 32) this.grow(d, cno);
    if (!row || row.dno !== d.dno) {
      if (hasBit(d.live, cno) && Number.isNaN(d.updated[cno])) d.oddTimes--;
      clearBit(d.live, cno);
      d.updated[cno] = NaN;
      for (const set of d.sets.values()) clearBit(set.bits, cno);
      return;
    }
    const wasOdd = hasBit(d.live, cno) && Number.isNaN(d.updated[cno]);
    setBit(d.live, cno);
    d.updated[cno] = timeOf(row.updated);
    d.oddTimes += (Number.isNaN(d.updated[cno]) ? 1 : 0) - (wasOdd ? 1 : 0);
    // The case's values and tags only matter to leaf sets, the field list and dictionaries: with none of them
    // loaded (a domain only warmed up, under writes alone), the write is not read back.
    if (d.sets.size === 0 && d.fields === undefined && d.dictionaries.size === 0) return;
    const state: CaseState = { values: new Map(), tags: new Map(), updated: row.updated };
    state.values.set(caseColumnFno('case_id')!, { s: row.case_id, n: null });
    state.values.set(caseColumnFno('last_updated_datetime')!, { s: row.updated, n: null });
    for (const v of this.st.caseValues.all(cno) as { fno: number; s: string | null; n: number | null }[]) {
      state.values.set(v.fno, { s: v.s, n: v.n });
      d.fields?.add(v.fno);
      const dict = d.dictionaries.get(v.fno);
      if (v.s !== null && dict instanceof Set) {
        dict.add(v.s);
        if (dict.size > this.dictionaryCap) d.dictionaries.set(v.fno, 'many');
      }
    }
    for (const t of this.st.caseTags.all(cno) as { key: string; value: string }[]) state.tags.set(t.key, t.value);
    for (const set of d.sets.values()) {
      if (set.test(state)) setBit(set.bits, cno);
      else clearBit(set.bits, cno);
    }
  }

  private grow(d: DomainSets, cno: number) {
    const words = Math.ceil(((cno + 1) * 1.25 + 1024) / 32);
    const widen = (bits: Uint32Array) => {
      const wider = new Uint32Array(words);
      wider.set(bits);
      return wider;
    };
    d.live = widen(d.live);
    const updated = new Float64Array(words * 32).fill(NaN);
    updated.set(d.updated);
    d.updated = updated;
    for (const set of d.sets.values()) set.bits = widen(set.bits);
    d.words = words;
  }

  /** The domain's sets, loaded when the domain is large enough to need them; undefined to search in plain SQL. */
  private domain(dno: number, size: number): DomainSets | undefined {
    if (size < this.accelerateFrom) return undefined;
    // Sets describe committed data; inside a write group (never the case today) they would be stale.
    if (this.touched.size > 0) return undefined;
    let d = this.domains.get(dno);
    if (d) {
      // Domains too are kept in use order, for evict.
      this.domains.delete(dno);
      this.domains.set(dno, d);
      return d;
    }
    const words = Math.ceil((((this.st.maxCno.get() as number | null) ?? 0) * 1.25 + 1024) / 32);
    d = { dno, words, live: new Uint32Array(words), updated: new Float64Array(words * 32).fill(NaN), oddTimes: 0, sets: new Map(), dictionaries: new Map(), fields: undefined };
    for (const [cno, updated] of this.st.domainCases.iterate(dno) as Iterable<[number, string]>) {
      setBit(d.live, cno);
      const t = timeOf(updated);
      d.updated[cno] = t;
      if (Number.isNaN(t)) d.oddTimes++;
    }
    this.domains.set(dno, d);
    this.evict();
    return d;
  }

  private evict() {
    let bytes = 0;
    for (const d of this.domains.values()) bytes += d.words * 4 * (d.sets.size + 1) + d.words * 32 * 8;
    // Least recently used leaf sets first (maps iterate in use order), then whole domains but the one in use.
    for (const d of this.domains.values()) {
      for (const [key] of d.sets) {
        if (bytes <= this.budgetBytes) return;
        d.sets.delete(key);
        bytes -= d.words * 4;
      }
    }
    for (const [dno, d] of this.domains) {
      if (bytes <= this.budgetBytes || this.domains.size === 1) return;
      this.domains.delete(dno);
      bytes -= d.words * 4 + d.words * 32 * 8;
    }
  }

  /** A cached leaf set, loaded by `load` when missing; marked most recently used. */
  private leaf(d: DomainSets, key: string, test: LeafSet['test'], load: (bits: Uint32Array) => void): Uint32Array {
    const hit = d.sets.get(key);
    if (hit) {
      d.sets.delete(key);
      d.sets.set(key, hit);
      return hit.bits;
    }
    const bits = new Uint32Array(d.words);
    load(bits);
    d.sets.set(key, { bits, test });
    this.evict();
    // The budget may have evicted this set itself; the caller still holds its bits.
    return bits;
  }

  /**
   * The matches of a search's filter and words as a set, or undefined when the domain is searched in plain SQL
   * (small, or a term the sets cannot answer cheaply).
   */
  matches(dno: number, size: number, q: CaseSearch, fieldNo: (fieldId: string) => number | undefined, text: TextCandidates): Matches | undefined {
    const d = this.domain(dno, size);
    if (!d) return undefined;
    let bits: Uint32Array | undefined = q.condition ? this.condition(d, q.condition, fieldNo, text) : d.live;
    if (q.words.length) {
      const words = this.words(d, q.words, text);
      if (!words) return undefined;
      bits = and(bits, words);
    }
    return { bits, count: popcount(bits) };
  }

  private condition(d: DomainSets, c: CaseCondition, fieldNo: (fieldId: string) => number | undefined, text: TextCandidates): Uint32Array {
    switch (c.kind) {
      case 'compare':
        return this.compares(d, [c], fieldNo);
      case 'empty': {
        const fno = fieldNo(c.fieldId);
        if (fno === undefined) return d.live;
        return andNot(d.live, this.leaf(d, `has ${fno}`, (x) => x.values.has(fno), (bits) => {
          // One scan per partial index (s, then n): an OR of the two would scan the table.
          for (const column of ['s', 'n'] as const) {
            for (const cno of this.fieldCases(d, fno, (c) => `${c(column)} IS NOT NULL`, [])) setBit(bits, cno);
          }
        }));
      }
      case 'contains': {
        const fno = fieldNo(c.fieldId);
        if (fno === undefined) return new Uint32Array(d.words);
        return this.leaf(d, `contains ${fno} ${c.text}`, (x) => {
          const s = x.values.get(fno)?.s;
          return s != null && containsText(s, c.text);
        }, (bits) => this.loadContains(d, fno, c.text, bits, text));
      }
      case 'tag': {
        const { key, value } = c;
        return this.leaf(d, value === undefined ? `tag ${JSON.stringify(key)}` : `tag ${JSON.stringify([key, value])}`,
          (x) => (value === undefined ? x.tags.has(key) : x.tags.get(key) === value),
          (bits) => {
            const cnos = value === undefined ? this.st.tagKey.iterate(d.dno, key) : this.st.tagValue.iterate(d.dno, key, value);
            for (const cno of cnos as Iterable<number>) setBit(bits, cno);
          });
      }
      case 'not':
        return andNot(d.live, this.condition(d, c.condition, fieldNo, text));
      case 'and':
      case 'or': {
        if (c.conditions.length === 0) return c.kind === 'and' ? d.live : new Uint32Array(d.words);
        const range = sameFieldCompares(c);
        if (range) return this.compares(d, range, fieldNo);
        const parts = c.conditions.map((x) => this.condition(d, x, fieldNo, text));
        return c.kind === 'and' ? parts.reduce(and) : parts.reduce(or);
      }
    }
  }

  /** Compares on one field, all holding for its one value: a scan of one value index. */
  private compares(d: DomainSets, cs: Compare[], fieldNo: (fieldId: string) => number | undefined): Uint32Array {
    const fno = fieldNo(cs[0].fieldId);
    if (fno === undefined) return new Uint32Array(d.words);
    const column = cs[0].column;
    const key = `compare ${fno} ${column} ${JSON.stringify(cs.map((x) => [x.op, x.value]))}`;
    return this.leaf(d, key, (x) => {
      const v = x.values.get(fno)?.[column];
      return v != null && cs.every((k) => holds(k.op, v, k.value));
    }, (bits) => {
      const cases = this.fieldCases(d, fno, (c) => cs.map((x) => `${c(column)} ${x.op} ?`).join(' AND '), cs.map((x) => x.value));
      for (const cno of cases) setBit(bits, cno);
    });
  }

  /** The cases of the domain whose value of field `fno` passes `test`, an SQL condition on its columns. */
  private fieldCases(d: DomainSets, fno: number, test: (column: FieldSource['column']) => string, params: unknown[]): Iterable<number> {
    const f = fieldSource(fno, d.dno);
    const sql = `SELECT cno FROM ${f.table} WHERE ${f.where()} AND ${test((c) => f.column(c))}`;
    return this.db.prepare(sql).pluck().iterate(...f.params, ...params) as Iterable<number>;
  }

  /** The distinct string values of a field, found by skipping through its index; 'many' past the cap. */
  private dictionary(d: DomainSets, fno: number): Set<string> | 'many' {
    let dict = d.dictionaries.get(fno);
    if (dict) return dict;
    // Case ids and update times differ from case to case.
    if (CASE_COLUMNS.has(fno)) return 'many';
    const values = new Set<string>();
    let last: string | undefined = '';
    // '' itself is a value the skip (s > last) would miss.
    if (this.st.withString.get(fno, '') !== undefined) values.add('');
    while (values.size <= this.dictionaryCap && (last = this.st.nextString.get(fno, last) as string | undefined) !== undefined) values.add(last);
    dict = values.size > this.dictionaryCap ? 'many' : values;
    d.dictionaries.set(fno, dict);
    return dict;
  }

  private loadContains(d: DomainSets, fno: number, text: string, bits: Uint32Array, candidatesOf: TextCandidates) {
    const dict = this.dictionary(d, fno);
    if (dict !== 'many') {
      // Few distinct values: test each once, then read the cases holding those that contain the text.
      for (const s of dict) if (containsText(s, text)) for (const cno of this.st.withString.iterate(fno, s) as Iterable<number>) setBit(bits, cno);
      return;
    }
    const f = fieldSource(fno, d.dno);
    const candidates = candidatesOf([text]);
    if (!candidates) {
      const all = this.db.prepare(`SELECT cno, ${f.column('s')} FROM ${f.table} WHERE ${f.where()} AND ${f.column('s')} IS NOT NULL`).raw();
      for (const [cno, s] of all.iterate(...f.params) as Iterable<[number, string]>) if (containsText(s, text)) setBit(bits, cno);
      return;
    }
    const caseString = this.db.prepare(`SELECT ${f.column('s')} FROM ${f.table} WHERE cno = ? AND ${f.where()}`).pluck();
    for (const cno of candidates) {
      if (!hasBit(d.live, cno)) continue;
      const s = caseString.get(cno, ...f.params) as string | null | undefined;
      if (s != null && containsText(s, text)) setBit(bits, cno);
    }
  }

  /**
   * The cases holding every word in some string value. Fields with few distinct values answer exactly from
   * their dictionaries; the trigram index gives the cases that may hold a word elsewhere, which are checked.
   */
  private words(d: DomainSets, words: string[], text: TextCandidates): Uint32Array | undefined {
    const key = `words ${JSON.stringify([...words].sort())}`;
    const test = (x: CaseState) => words.every((w) => [...x.values.values()].some((v) => v.s !== null && holdsWord(v.s, w)));
    if (d.sets.has(key)) return this.leaf(d, key, test, () => {});
    d.fields ??= new Set([...CASE_COLUMN_FNOS, ...(this.st.domainFields.all(d.dno) as number[])]);
    const dictionaryFields: [number, Set<string>][] = [];
    let otherFields = false;
    for (const fno of d.fields) {
      const dict = this.dictionary(d, fno);
      if (dict === 'many') otherFields = true;
      else dictionaryFields.push([fno, dict]);
    }
    const candidates = otherFields ? text(words) : undefined;
    // Without trigrams the other fields cannot be narrowed: every case would need checking, as in plain SQL.
    if (otherFields && !candidates) return undefined;
    return this.leaf(d, key, test, (bits) => {
      let all: Uint32Array | undefined;
      for (const w of words) {
        const word = new Uint32Array(d.words);
        for (const [fno, dict] of dictionaryFields) {
          for (const s of dict) if (holdsWord(s, w)) for (const cno of this.st.withString.iterate(fno, s) as Iterable<number>) setBit(word, cno);
        }
        all = all ? and(all, word) : word;
      }
      bits.set(all!);
      for (const cno of candidates ?? []) {
        if (hasBit(bits, cno) || !hasBit(d.live, cno)) continue;
        const values = this.st.caseStrings.all({ cno }) as string[];
        if (words.every((w) => values.some((s) => holdsWord(s, w)))) setBit(bits, cno);
      }
    });
  }

  /** The case numbers of one page in the default order (update time, then creation, both descending). */
  defaultPage(dno: number, m: Matches, after: { updated: string; cno: number } | undefined, limit: number): number[] | undefined {
    const d = this.domains.get(dno);
    if (!d || d.oddTimes > 0) return undefined;
    const afterTime = after ? timeOf(after.updated) : Infinity;
    if (Number.isNaN(afterTime)) return undefined;
    const afterCno = after ? after.cno : Infinity;
    // Top-k by (time, cno) descending: `top` stays sorted, best first. Most matches lose to the worst kept one
    // at the first comparison, so the loop is written out (it runs for every match).
    const top: number[] = [];
    const times: number[] = [];
    const updated = d.updated;
    const bits = m.bits;
    let worst = -Infinity;
    let worstCno = -1;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w];
      while (word !== 0) {
        const low = word & -word;
        word ^= low;
        const cno = w * 32 + 31 - Math.clz32(low);
        const t = updated[cno];
        if (t < worst || (t === worst && cno < worstCno)) continue;
        if (t > afterTime || (t === afterTime && cno >= afterCno)) continue;
        let i = top.length;
        while (i > 0 && (times[i - 1] < t || (times[i - 1] === t && top[i - 1] < cno))) i--;
        top.splice(i, 0, cno);
        times.splice(i, 0, t);
        if (top.length > limit) {
          top.pop();
          times.pop();
        }
        if (top.length === limit) {
          worst = times[limit - 1];
          worstCno = top[limit - 1];
        }
      }
    }
    return top;
  }
}

function and(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] & b[i];
  return out;
}

function or(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] | b[i];
  return out;
}

function andNot(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] & ~b[i];
  return out;
}

/** A compare, or an AND of compares on one field (a range): one scan of one index answers it. */
export function sameFieldCompares(c: CaseCondition): Compare[] | undefined {
  if (c.kind === 'compare') return [c];
  if (c.kind !== 'and' || c.conditions.length === 0) return undefined;
  const all = c.conditions.map(sameFieldCompares);
  const flat = all.every((x) => x !== undefined) ? all.flat() : [];
  return flat.length && flat.every((x) => x.fieldId === flat[0].fieldId && x.column === flat[0].column) ? flat : undefined;
}

