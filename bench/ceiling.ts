/**
 * The ceiling of bench/api.ts: the least a Node server must do to answer the same requests from the same data.
 * node:http, JSON.parse of the body, and per request exactly as many SQLite statements as opencases executes
 * for that operation (counted by bench/api.ts through better-sqlite3's `verbose` hook), in one transaction,
 * with opencases' durability settings (WAL, synchronous=FULL). No routing table, no validation, no auth, no
 * logging. Its cases are a copy of the seeded opencases cases, so rows and JSON documents have the same sizes.
 *
 * Two kinds (`--kind`):
 * - `append` (the benchmark's ceiling, as issue #10 defines it): a write's statements besides the case row are
 *   narrow inserts into one append-only table.
 * - `indexed` (like for like): the same number of statements, but a write's index statements keep the same search
 *   entries opencases keeps, the obvious way, in the same transaction: a row per value in a table with opencases'
 *   two value indexes, the case's update time in an indexed row, and trigram FTS5 documents (one per new case, one
 *   per changed string value and for the update time), and opencases' FTS5 merge policy (a few pages merged before
 *   each COMMIT, in proportion to the text written). What is left of the count goes to the append-only table. It
 *   answers how much opencases costs beyond the index work it must do.
 *
 *   node --import tsx bench/ceiling.ts --data-dir DIR --port N --plan '{"CreateCase":{...},...}' [--kind indexed]
 *        [--per-request-commit]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { newId } from '../src/ids.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Operation } from './load.js';

/** What one request of an operation executes in opencases: reads and writes between BEGIN and COMMIT. */
export interface StatementPlan {
  begin: 'BEGIN' | 'BEGIN IMMEDIATE';
  reads: number;
  writes: number;
}
export type CeilingPlan = Record<Operation, StatementPlan>;
/** `store` is served by bench/ceiling-store.ts. */
export type CeilingKind = 'append' | 'indexed' | 'store';

export const ceilingFile = (dir: string) => join(dir, 'ceiling.db');

/** Normalises a traced statement (literals → ?) so that the statements of an operation can be listed by kind. */
export const statementKind = (sql: string) =>
  sql
    .replace(/'(?:[^']|'')*'(\/\*[^*]*\*\/)?/g, '?')
    .replace(/\b\d+(\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .slice(0, 90);

function open(dir: string): Database.Database {
  mkdirSync(dir, { recursive: true });
  const db = new Database(ceilingFile(dir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/**
 * Fills DIR/ceiling.db from a seeded opencases database: its cases (same JSON documents) and its metadata
 * documents, which the ceiling's extra reads fetch by primary key as opencases reads fields and templates.
 */
export function prepareCeilingData(dir: string, opencasesDb: string, kind: CeilingKind): void {
  const db = open(dir);
  db.exec(`
    CREATE TABLE docs (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE cases (domain_id TEXT NOT NULL, case_id TEXT NOT NULL, fields TEXT NOT NULL, tags TEXT NOT NULL,
      PRIMARY KEY (domain_id, case_id)) WITHOUT ROWID;
    CREATE TABLE rows (k INTEGER PRIMARY KEY, case_id TEXT NOT NULL, v TEXT NOT NULL);
  `);
  db.prepare('ATTACH ? AS src').run(opencasesDb);
  db.transaction(() => {
    db.exec("INSERT INTO docs (id, data) SELECT kind || '/' || scope || '/' || id, data FROM src.resources");
    db.exec('INSERT INTO cases (domain_id, case_id, fields, tags) SELECT domain_id, case_id, fields, tags FROM src.cases');
    if (kind === 'indexed') {
      // The seeded domain's search entries as opencases holds them (one domain: no domain numbers).
      db.exec(`
        CREATE TABLE fnos (field_id TEXT PRIMARY KEY, fno INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE icases (cno INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, updated TEXT NOT NULL);
        CREATE INDEX icases_updated ON icases (updated, cno);
        CREATE TABLE vals (cno INTEGER NOT NULL, fno INTEGER NOT NULL, s TEXT, n REAL, PRIMARY KEY (cno, fno)) WITHOUT ROWID;
        CREATE INDEX vals_s ON vals (fno, s, cno) WHERE s IS NOT NULL;
        CREATE INDEX vals_n ON vals (fno, n, cno) WHERE n IS NOT NULL;
        CREATE VIRTUAL TABLE text USING fts5(doc, tokenize = 'trigram', content = '', contentless_delete = 1, detail = none);
        INSERT INTO fnos (field_id, fno) SELECT field_id, fno FROM src.search_fields;
        INSERT INTO icases (cno, case_id, updated) SELECT cno, case_id, updated FROM src.search_cases;
        INSERT INTO vals (cno, fno, s, n) SELECT cno, fno, s, n FROM src.search_values;
        INSERT INTO text (rowid, doc) SELECT cno, lower(group_concat(s, char(10))) FROM vals WHERE s IS NOT NULL GROUP BY cno;
        INSERT INTO text (text) VALUES ('optimize');
        INSERT INTO text (text, rank) VALUES ('automerge', 0);
        INSERT INTO text (text, rank) VALUES ('crisismerge', 64);
      `);
    }
  })();
  db.exec('DETACH src');
  db.close();
}

type FieldInput = { id: string; value: { stringValue?: string; userArnValue?: string; doubleValue?: number; booleanValue?: boolean } };

/**
 * The `indexed` ceiling's search entries, kept as opencases keeps them but written the obvious way: in the write's
 * own transaction. `created` and `updated` return the statements they wrote (the count comes out of the write's
 * budget of narrow inserts); `updated` also makes one read, the case's number. FTS5's own merging (inside an
 * insert, megabytes at a time) is off, as in opencases: `beforeCommit` merges as opencases' text indexer does, one
 * page per 400 characters written and at most 8 pages a transaction (TEXT_CHARS_PER_MERGE_PAGE and
 * TEXT_MERGE_SLICE_PAGES in src/store/sqlite/sqlite-store.ts). With FTS5's default automerge instead, its writes
 * stalled for tens of milliseconds and slowed through a run (docs/performance.md).
 */
function searchIndex(db: Database.Database) {
  const st = {
    fno: db.prepare('SELECT fno FROM fnos WHERE field_id = ?'),
    newCase: db.prepare('INSERT INTO icases (case_id, updated) VALUES (?, ?)'),
    caseNo: db.prepare('SELECT cno FROM icases WHERE case_id = ?'),
    touch: db.prepare('UPDATE icases SET updated = ? WHERE cno = ?'),
    addValue: db.prepare('INSERT INTO vals (cno, fno, s, n) VALUES (?, ?, ?, ?)'),
    setValue: db.prepare('INSERT INTO vals (cno, fno, s, n) VALUES (?, ?, ?, ?) ON CONFLICT (cno, fno) DO UPDATE SET s = excluded.s, n = excluded.n'),
    addDoc: db.prepare('INSERT INTO text (rowid, doc) VALUES (?, ?)'),
    dropDoc: db.prepare('DELETE FROM text WHERE rowid = ?'),
    merge: db.prepare("INSERT INTO text (text, rank) VALUES ('merge', ?)"),
  };
  let chars = 0;
  let mergeDebt = 0;
  const addDoc = (rowid: number, doc: string) => {
    st.addDoc.run(rowid, doc);
    chars += doc.length;
  };
  // Field numbers, looked up once as opencases caches them; a field the seed did not know gets the next number.
  const fnos = new Map<string, number>();
  let nextFno = (db.prepare('SELECT coalesce(max(fno), 0) AS m FROM fnos').get() as { m: number }).m + 1;
  const fno = (id: string) => {
    if (!fnos.has(id)) fnos.set(id, (st.fno.get(id) as { fno: number } | undefined)?.fno ?? nextFno++);
    return fnos.get(id)!;
  };
  const stringOf = (v: FieldInput['value']) => v.stringValue ?? v.userArnValue;
  const numberOf = (v: FieldInput['value']) => v.doubleValue ?? (v.booleanValue === undefined ? null : Number(v.booleanValue));
  // A document per slot, the slot in the rowid's high bits as in opencases (slot 0: the case's first document, 1: the
  // update time, 2…: a field's value, numbered here in the order the fields are first seen).
  const slots = new Map<string, number>();
  const docKey = (slot: number, cno: number) => slot * 2 ** 40 + cno;
  const slotOf = (id: string) => {
    if (!slots.has(id)) slots.set(id, slots.size + 2);
    return slots.get(id)!;
  };
  return {
    created(caseId: string, fields: FieldInput[]): number {
      const now = new Date().toISOString();
      const cno = Number(st.newCase.run(caseId, now).lastInsertRowid);
      // The request's values and the two system values opencases indexes for a new case.
      const values: FieldInput[] = [
        ...fields,
        { id: 'created_datetime', value: { stringValue: now } },
        { id: 'reference_number', value: { stringValue: String(10_000_000 + Math.floor(Math.random() * 90_000_000)) } },
      ];
      for (const f of values) st.addValue.run(cno, fno(f.id), stringOf(f.value) ?? null, numberOf(f.value));
      const strings = values.map((f) => stringOf(f.value)).filter((s) => s !== undefined);
      addDoc(cno, [caseId, now, ...strings].join('\n').toLowerCase());
      return values.length + 2;
    },
    updated(caseId: string, fields: FieldInput[]): number {
      const now = new Date().toISOString();
      const { cno } = st.caseNo.get(caseId) as { cno: number };
      st.touch.run(now, cno);
      let writes = 1;
      const docs: [number, string][] = [[1, now]];
      for (const f of fields) {
        st.setValue.run(cno, fno(f.id), stringOf(f.value) ?? null, numberOf(f.value));
        writes++;
        const s = stringOf(f.value);
        if (s !== undefined) docs.push([slotOf(f.id), s]);
      }
      for (const [slot, doc] of docs) {
        st.dropDoc.run(docKey(slot, cno));
        addDoc(docKey(slot, cno), doc.toLowerCase());
        writes += 2;
      }
      return writes;
    },
    beforeCommit(): void {
      mergeDebt += Math.ceil(chars / 400);
      chars = 0;
      const pages = Math.min(mergeDebt, 8);
      if (pages > 0) st.merge.run(pages);
      mergeDebt -= pages;
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

type FieldValues = Record<string, unknown>;

/** `groupCommit` false: every request commits on its own (bench:api --ceiling-commit per-request). */
export function startCeiling(dir: string, port: number, plan: CeilingPlan, groupCommit: boolean, kind: CeilingKind) {
  const db = open(dir);
  const index = kind === 'indexed' ? searchIndex(db) : undefined;
  const st = {
    docIds: db.prepare('SELECT id FROM docs'),
    doc: db.prepare('SELECT data FROM docs WHERE id = ?'),
    getCase: db.prepare('SELECT fields, tags FROM cases WHERE domain_id = ? AND case_id = ?'),
    insertCase: db.prepare('INSERT INTO cases (domain_id, case_id, fields, tags) VALUES (?, ?, ?, ?)'),
    updateCase: db.prepare('UPDATE cases SET fields = ? WHERE domain_id = ? AND case_id = ?'),
    recent: db.prepare('SELECT case_id FROM cases WHERE domain_id = ? LIMIT 25'),
    addRow: db.prepare('INSERT INTO rows (case_id, v) VALUES (?, ?)'),
  };
  const docIds = (st.docIds.all() as { id: string }[]).map((r) => r.id);
  let docCursor = 0;
  /** `n` point reads of metadata documents, parsed as opencases parses them. */
  const readDocs = (n: number) => {
    for (let i = 0; i < n; i++) JSON.parse((st.doc.get(docIds[docCursor++ % docIds.length]) as { data: string }).data);
  };
  /** `n` narrow inserts: the audit, outbox and index rows of a write. */
  const addRows = (caseId: string, n: number, payload: string) => {
    for (let i = 0; i < n; i++) st.addRow.run(caseId, payload);
  };
  /**
   * Group commit as opencases does it (src/store/sqlite/sqlite-store.ts): the writes that arrive in two turns of
   * the event loop share a transaction, each in a savepoint, and are answered after its COMMIT; reads wait
   * for an open group to commit. Without it the ceiling would not be the best Node and SQLite can do.
   */
  let group: { committed: Promise<void> } | undefined;
  const transaction = async <T>(p: StatementPlan, fn: () => T): Promise<T> => {
    if (p.begin === 'BEGIN' || !groupCommit) {
      if (group) await group.committed;
      db.exec(p.begin);
      try {
        return fn();
      } finally {
        if (p.begin !== 'BEGIN') index?.beforeCommit();
        db.exec('COMMIT');
      }
    }
    if (!group) {
      db.exec('BEGIN IMMEDIATE');
      const open = {
        // A turn of the event loop later, as opencases: the writes of requests read by that turn's poll join.
        committed: new Promise<void>((resolve) =>
          setImmediate(() =>
            setImmediate(() => {
              group = undefined;
              index?.beforeCommit();
              db.exec('COMMIT');
              resolve();
            }),
          ),
        ),
      };
      group = open;
    }
    const { committed } = group;
    db.exec('SAVEPOINT write');
    const out = fn();
    db.exec('RELEASE write');
    await committed;
    return out;
  };
  const pickFields = (fields: FieldValues, wanted: { id: string }[]) =>
    wanted.filter(({ id }) => Object.hasOwn(fields, id)).map(({ id }) => ({ id, value: fields[id] }));

  const handle: BareHandler = (method, parts, input) => {
    const domainId = parts[1];
    if (method === 'POST' && parts.length === 3 && parts[2] === 'cases') {
      const p = plan.CreateCase;
      return transaction(p, () => {
        readDocs(p.reads);
        const caseId = newId(); // as opencases makes them: time-ordered, random bits from a pool
        const fields: FieldValues = {};
        for (const f of input.fields) fields[f.id] = f.value;
        st.insertCase.run(domainId, caseId, JSON.stringify(fields), '{}');
        const indexWrites = index ? index.created(caseId, input.fields) : 0;
        addRows(caseId, p.writes - 1 - indexWrites, JSON.stringify(input.fields));
        return { caseId, caseArn: `arn:aws:cases:us-east-1:111122223333:domain/${domainId}/case/${caseId}` };
      });
    }
    if (parts.length === 4 && parts[2] === 'cases' && method === 'POST') {
      const p = plan.GetCase;
      return transaction(p, () => {
        readDocs(p.reads - 1);
        const row = st.getCase.get(domainId, parts[3]) as { fields: string; tags: string };
        return { fields: pickFields(JSON.parse(row.fields), input.fields), templateId: 'bench', tags: JSON.parse(row.tags) };
      });
    }
    if (parts.length === 4 && parts[2] === 'cases' && method === 'PUT') {
      const p = plan.UpdateCase;
      return transaction(p, () => {
        readDocs(p.reads - (index ? 2 : 1));
        const row = st.getCase.get(domainId, parts[3]) as { fields: string };
        const fields = JSON.parse(row.fields) as FieldValues;
        for (const f of input.fields) fields[f.id] = f.value;
        st.updateCase.run(JSON.stringify(fields), domainId, parts[3]);
        const indexWrites = index ? index.updated(parts[3], input.fields) : 0;
        addRows(parts[3], p.writes - 1 - indexWrites, JSON.stringify(input.fields));
        return {};
      });
    }
    if (method === 'POST' && parts.length === 3 && parts[2] === 'cases-search') {
      const p = plan.SearchCases;
      return transaction(p, () => {
        const ids = (st.recent.all(domainId) as { case_id: string }[]).map((r) => r.case_id);
        const cases = [];
        for (let i = 0; i < p.reads - 1; i++) {
          const row = st.getCase.get(domainId, ids[i % ids.length]) as { fields: string };
          cases.push({ caseId: ids[i % ids.length], fields: pickFields(JSON.parse(row.fields), input.fields) });
        }
        return { cases, totalCount: cases.length };
      });
    }
    return undefined;
  };

  return serveBare(port, handle);
}

/** A request's route split at '/', and its parsed JSON body; undefined when no route matches. */
export type BareHandler = (method: string, parts: string[], input: any) => Promise<unknown> | undefined;

/** The ceilings' HTTP server: node:http, the body read whole and parsed, the answer serialized; nothing else. */
export function serveBare(port: number, handle: BareHandler) {
  const server = createServer({ keepAliveTimeout: 5_000 }, async (req, res) => {
    const parts = (req.url ?? '/').split('?')[0].split('/').slice(1);
    const body = await readBody(req);
    if (req.method === 'GET' && parts[0] === 'health') return reply(res, 200, { status: 'ok' });
    try {
      const out = await handle(req.method ?? 'GET', parts, body.length ? JSON.parse(body.toString('utf8')) : {});
      if (out === undefined) reply(res, 404, { message: 'no such route' });
      else reply(res, 200, out);
    } catch (e) {
      reply(res, 500, { message: String(e) });
    }
  });
  server.listen(port, '127.0.0.1');
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      plan: { type: 'string' },
      kind: { type: 'string', default: 'append' },
      'per-request-commit': { type: 'boolean', default: false },
    },
  });
  const kind = values.kind as CeilingKind;
  if (kind !== 'append' && kind !== 'indexed') throw new Error('--kind takes append or indexed');
  const server = startCeiling(values['data-dir']!, Number(values.port), JSON.parse(values.plan!) as CeilingPlan, !values['per-request-commit'], kind);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
