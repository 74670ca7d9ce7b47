/**
 * Migrations of the SQLite search index that change what an existing database holds. Migration 11: the value rows
 * of the case id and the update time go (search_cases holds both), and searches on them answer as before.
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

test('migration 11 removes the value rows of case_id and last_updated_datetime; searches on them answer as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-migrate-'));
  try {
    let store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    await store.write(async (tx) => {
      for (let n = 1; n <= 20; n++) await tx.insertCase(aCase(n));
    });
    // The layout before migration 11: both fields numbered, with a value row per case.
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
