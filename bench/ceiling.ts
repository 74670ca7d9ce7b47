/**
 * The ceiling of bench/api.ts: the least a Node server must do to answer the same requests from the same data.
 * node:http, JSON.parse of the body, and per request exactly as many SQLite statements as opencases executes
 * for that operation (counted by bench/api.ts through better-sqlite3's `verbose` hook), in one transaction,
 * with opencases' durability settings (WAL, synchronous=FULL). No routing table, no validation, no auth, no
 * logging. Its cases are a copy of the seeded opencases cases, so rows and JSON documents have the same sizes.
 *
 *   node --import tsx bench/ceiling.ts --data-dir DIR --port N --plan '{"CreateCase":{...},...}' [--per-request-commit]
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

export const ceilingFile = (dir: string) => join(dir, 'ceiling.db');

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
export function prepareCeilingData(dir: string, opencasesDb: string): void {
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
  })();
  db.exec('DETACH src');
  db.close();
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
export function startCeiling(dir: string, port: number, plan: CeilingPlan, groupCommit: boolean) {
  const db = open(dir);
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

  const handle = (method: string, parts: string[], input: any): Promise<unknown> | undefined => {
    const domainId = parts[1];
    if (method === 'POST' && parts.length === 3 && parts[2] === 'cases') {
      const p = plan.CreateCase;
      return transaction(p, () => {
        readDocs(p.reads);
        const caseId = newId(); // as opencases makes them: time-ordered, random bits from a pool
        const fields: FieldValues = {};
        for (const f of input.fields) fields[f.id] = f.value;
        st.insertCase.run(domainId, caseId, JSON.stringify(fields), '{}');
        addRows(caseId, p.writes - 1, JSON.stringify(input.fields));
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
        readDocs(p.reads - 1);
        const row = st.getCase.get(domainId, parts[3]) as { fields: string };
        const fields = JSON.parse(row.fields) as FieldValues;
        for (const f of input.fields) fields[f.id] = f.value;
        st.updateCase.run(JSON.stringify(fields), domainId, parts[3]);
        addRows(parts[3], p.writes - 1, JSON.stringify(input.fields));
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
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, plan: { type: 'string' }, 'per-request-commit': { type: 'boolean', default: false } },
  });
  const server = startCeiling(values['data-dir']!, Number(values.port), JSON.parse(values.plan!) as CeilingPlan, !values['per-request-commit']);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
