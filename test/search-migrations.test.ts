/**
 * Migrations of the SQLite search index that change what an existing database holds, each tested on a database
 * taken back to the layout before it. Migration 11: the value rows of the case id and the update time go
 * (search_cases holds both), and searches on them answer as before. Migration 12: text documents keyed by slot and
 * case; the documents written before are the cases' first documents, and pending cases stay pending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { CaseRecord, CaseSearch } from '../src/store/types.js';

const aCase = (n: number): CaseRecord => {
  const caseId = `case-${n}`;
  const time = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return {
    domainId: 'dom',
    caseId,
    templateId: 'tpl',
    referenceNumber: String(n),
    createdTime: time,
    lastUpdatedTime: time,
    fields: { title: { stringValue: `case number ${n}` }, case_id: { stringValue: caseId }, last_updated_datetime: { stringValue: time } },
    tags: {},
  };
};

/**
 * Takes a database of the current layout back to the one before migration 12: no field slots, one pending row per
 * case. Its documents are left as they are: those written so far are first documents, whose rowid is the case
 * number either way, as long as no case has been updated since it was indexed.
 */
function layoutBefore12(db: SqliteStore['db']): void {
  // And before migration 13 (the caller has written the search rows of its cases).
  db.exec(`
    DROP TABLE search_dirty;
    DROP INDEX search_fields_slot;
    ALTER TABLE search_fields DROP COLUMN slot;
    CREATE TABLE search_text_pending_cases (cno INTEGER PRIMARY KEY, fresh INTEGER NOT NULL) STRICT;
    INSERT INTO search_text_pending_cases SELECT DISTINCT cno, 1 FROM search_text_pending;
    DROP TABLE search_text_pending;
    ALTER TABLE search_text_pending_cases RENAME TO search_text_pending;
  `);
}

test('migration 11 removes the value rows of case_id and last_updated_datetime; searches on them answer as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-migrate-'));
  try {
    let store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    await store.write(async (tx) => {
      for (let n = 1; n <= 20; n++) await tx.insertCase(aCase(n));
    });
    await store.writeSearchRows();
    // The layout before migration 11: both fields numbered, with a value row per case.
    layoutBefore12(store.db);
    store.db.exec(`
      INSERT INTO search_fields (dno, field_id) SELECT dno, 'case_id' FROM search_domains;
      INSERT INTO search_fields (dno, field_id) SELECT dno, 'last_updated_datetime' FROM search_domains;
      INSERT INTO search_values (cno, fno, s) SELECT c.cno, f.fno, c.case_id FROM search_cases c JOIN search_fields f ON f.dno = c.dno AND f.field_id = 'case_id';
      INSERT INTO search_values (cno, fno, s) SELECT c.cno, f.fno, c.updated FROM search_cases c JOIN search_fields f ON f.dno = c.dno AND f.field_id = 'last_updated_datetime';
      PRAGMA user_version = 10;
    `);
    const rows = () => store.db.prepare('SELECT count(*) FROM search_values').pluck().get() as number;
    assert.equal(rows(), 60);
    await store.close();

    store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    assert.equal(rows(), 20, 'only the titles keep value rows');
    assert.equal(store.db.prepare("SELECT count(*) FROM search_fields WHERE field_id IN ('case_id', 'last_updated_datetime')").pluck().get(), 0);
    const ids = (q: Partial<CaseSearch>) =>
      store.read(async (tx) => (await tx.searchCases({ domainId: 'dom', words: [], sorts: [], limit: 100, ...q })).hits.map((h) => h.record.caseId));
    assert.deepEqual(await ids({ condition: { kind: 'compare', fieldId: 'case_id', op: '=', column: 's', value: 'case-7' } }), ['case-7']);
    assert.deepEqual(
      await ids({ condition: { kind: 'compare', fieldId: 'last_updated_datetime', op: '>=', column: 's', value: aCase(18).lastUpdatedTime } }),
      ['case-20', 'case-19', 'case-18'],
    );
    assert.deepEqual((await ids({ sorts: [{ fieldId: 'last_updated_datetime', column: 's', descending: false }] })).slice(0, 2), ['case-1', 'case-2']);
    await store.indexAllText();
    assert.deepEqual(await ids({ words: ['case-13'] }), ['case-13']);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migration 12 numbers the fields\' slots per domain, keeps the documents as first documents, and carries the pending cases over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-migrate-'));
  try {
    let store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    const inDomain = (domainId: string, n: number, note: string): CaseRecord => {
      const c = aCase(n);
      return { ...c, domainId, fields: { ...c.fields, [`note-${domainId}`]: { stringValue: note } } };
    };
    await store.write(async (tx) => {
      for (let n = 1; n <= 10; n++) await tx.insertCase(inDomain('dom', n, n % 2 ? 'odd kumquat' : 'even quince'));
      for (let n = 11; n <= 15; n++) await tx.insertCase(inDomain('other', n, 'other kumquat'));
    });
    await store.indexAllText();
    // Case 16 waits for the indexer, as an older version left it.
    await store.write((tx) => tx.insertCase(inDomain('other', 16, 'pending kumquat')));
    await store.writeSearchRows();
    layoutBefore12(store.db);
    store.db.exec('PRAGMA user_version = 11');
    await store.close();

    store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    const slots = store.db.prepare('SELECT d.domain_id, f.field_id, f.slot FROM search_fields f JOIN search_domains d USING (dno) ORDER BY f.fno').all();
    assert.deepEqual(slots, [
      { domain_id: 'dom', field_id: 'title', slot: 2 },
      { domain_id: 'dom', field_id: 'note-dom', slot: 3 },
      { domain_id: 'other', field_id: 'title', slot: 2 },
      { domain_id: 'other', field_id: 'note-other', slot: 3 },
    ]);
    const all = (sql: string) => store.db.prepare(sql).all();
    assert.deepEqual(all('SELECT cno, slot, fresh FROM search_text_pending'), [{ cno: 16, slot: 0, fresh: 1 }]);
    assert.equal(all('SELECT rowid FROM search_text_recent_docsize').length, 15, 'the documents stay');
    const ids = (domainId: string, words: string[]) =>
      store.read(async (tx) => (await tx.searchCases({ domainId, words, sorts: [], limit: 100 })).hits.map((h) => h.record.caseId).sort());
    const odd = ['case-1', 'case-3', 'case-5', 'case-7', 'case-9'];
    assert.deepEqual(await ids('dom', ['kumquat']), odd);
    assert.deepEqual(await ids('other', ['kumquat']), ['case-11', 'case-12', 'case-13', 'case-14', 'case-15', 'case-16']);
    await store.indexAllText();
    assert.equal(all('SELECT rowid FROM search_text_recent_docsize').length, 16);

    // An update of an old case writes documents of its changed note and update time beside its first one.
    const later = { ...inDomain('dom', 2, 'now kumquat'), lastUpdatedTime: '2026-06-01T00:00:00.000Z' };
    await store.write((tx) => tx.updateCase({ ...later, fields: { ...later.fields, last_updated_datetime: { stringValue: later.lastUpdatedTime } } }, ['note-dom', 'last_updated_datetime']));
    await store.writeSearchRows();
    assert.deepEqual(all('SELECT cno, slot FROM search_text_pending'), [{ cno: 2, slot: 1 }, { cno: 2, slot: 3 }]);
    await store.indexAllText();
    assert.deepEqual(await ids('dom', ['kumquat']), ['case-1', 'case-2', 'case-3', 'case-5', 'case-7', 'case-9']);
    assert.deepEqual(await ids('dom', ['quince']), ['case-10', 'case-4', 'case-6', 'case-8']);
    assert.deepEqual(await ids('dom', ['kumquat', '2026-06-01']), ['case-2']);
    // A field numbered after the migration takes its domain's next slot.
    await store.write((tx) => tx.insertCase({ ...inDomain('other', 17, 'x'), fields: { ...inDomain('other', 17, 'x').fields, late: { stringValue: 'late' } } }));
    await store.writeSearchRows();
    assert.equal(store.db.prepare("SELECT slot FROM search_fields WHERE field_id = 'late'").pluck().get(), 4);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
