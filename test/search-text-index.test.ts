/**
 * Deferred text indexing in the SQLite store (docs/search.md): case writes leave their FTS5 document to a
 * background indexer, and substring searches stay exact before and after it has run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteCaseCommand,
  SearchCasesCommand,
  TagResourceCommand,
  UpdateCaseCommand,
} from '@aws-sdk/client-connectcases';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TEXT_CASE_OF_ROWID, textKey } from '../src/store/sqlite/search-sql.js';
import type { CaseRecord } from '../src/store/types.js';
import { startTestServer, uniqueName, type TestServer } from './helpers.js';
import { titledCase } from './support/case-records.js';

const pendingCount = (store: SqliteStore) => (store.db.prepare('SELECT count(*) AS n FROM search_text_pending').get() as { n: number }).n;
/** No case write waits for its search rows (written in batches: migration 13), and none for its text documents. */
const indexed = (store: SqliteStore) =>
  store.db.prepare('SELECT NOT EXISTS (SELECT 1 FROM search_dirty) AND NOT EXISTS (SELECT 1 FROM search_text_pending)').pluck().get() === 1;
/** Case numbers with an FTS document, in either text table, holding every trigram of `text`, as the index answers (no value check). */
const ftsMatches = (store: SqliteStore, text: string) =>
  store.db
    .prepare(`SELECT ${TEXT_CASE_OF_ROWID} AS cno FROM search_text WHERE search_text MATCH @q
      UNION SELECT ${TEXT_CASE_OF_ROWID} FROM search_text_recent WHERE search_text_recent MATCH @q ORDER BY cno`)
    .pluck()
    .all({ q: Array.from({ length: text.length - 2 }, (_, i) => `"${text.slice(i, i + 3)}"`).join(' AND ') }) as number[];
const caseNo = (store: SqliteStore, caseId: string) =>
  store.db.prepare('SELECT cno FROM search_cases WHERE case_id = ?').pluck().get(caseId) as number | undefined;

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), 'the condition did not come true in 10 s');
}

// Both search paths must see pending cases: plain SQL, and the match sets of large domains (forced on here, with
// no value dictionaries so that substrings go through the trigram candidates).
for (const [label, searchSets] of [
  ['plain SQL', undefined],
  ['match sets', { accelerateFrom: 0, dictionaryCap: 0 }],
] as const) describe(`text indexing through the API (indexer run by hand; ${label})`, () => {
  let ts: TestServer;
  let store: SqliteStore;
  let domainId: string;
  let templateId: string;
  let noteId: string;

  before(async () => {
    store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false, searchSets });
    ts = await startTestServer({ store });
    domainId = (await ts.client.send(new CreateDomainCommand({ name: uniqueName('text') }))).domainId!;
    noteId = (await ts.client.send(new CreateFieldCommand({ domainId, name: 'note', type: 'Text' }))).fieldId!;
    templateId = (await ts.client.send(new CreateTemplateCommand({ domainId, name: 'basic', status: 'Active' }))).templateId!;
  });
  after(async () => {
    await ts.close();
    await store.close();
  });

  const createWithArn = (title: string, note: string) =>
    ts.client.send(
      new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: title } }, { id: noteId, value: { stringValue: note } }] }),
    );
  const create = async (title: string, note: string) => (await createWithArn(title, note)).caseId!;
  const byContains = async (text: string) =>
    (await ts.client.send(new SearchCasesCommand({ domainId, filter: { field: { contains: { id: 'title', value: { stringValue: text } } } } }))).cases!
      .map((x) => x!.caseId)
      .sort();
  const byTerm = async (searchTerm: string) =>
    (await ts.client.send(new SearchCasesCommand({ domainId, searchTerm }))).cases!.map((x) => x!.caseId).sort();

  test('a case created a moment ago is found while pending and after indexing', async () => {
    const id = await create('Heliotrope printer', 'Quokka sighting');
    // A write's search rows, the marks for the text indexer among them, are written in batches.
    await store.writeSearchRows();
    assert.ok(pendingCount(store) >= 1);
    assert.deepEqual(await byContains('liotro'), [id]);
    assert.deepEqual(await byTerm('heliotrope quokka'), [id]);
    await store.indexAllText();
    assert.equal(pendingCount(store), 0);
    assert.deepEqual(ftsMatches(store, 'liotro'), [caseNo(store, id)]);
    assert.deepEqual(await byContains('liotro'), [id]);
    assert.deepEqual(await byTerm('heliotrope quokka'), [id]);
  });

  test('an updated case is found by its new text and not by its old, before and after indexing', async () => {
    const id = await create('Marigold scanner', 'first note');
    await store.indexAllText();
    await ts.client.send(new UpdateCaseCommand({ domainId, caseId: id, fields: [{ id: 'title', value: { stringValue: 'Lavender scanner' } }] }));
    await store.writeSearchRows();
    assert.equal(pendingCount(store), 2, 'the title and the update time');
    assert.deepEqual(await byContains('marigold'), []);
    assert.deepEqual(await byTerm('marigold'), []);
    assert.deepEqual(await byContains('lavender'), [id]);
    assert.deepEqual(await byTerm('lavender first'), [id]);
    await store.indexAllText();
    const cno = caseNo(store, id);
    assert.deepEqual(ftsMatches(store, 'lavender'), [cno], 'the new title has a document of its own');
    assert.deepEqual(ftsMatches(store, 'marigold'), [cno], 'the first document keeps the old title: a candidate, dropped by the check');
    assert.deepEqual(await byContains('marigold'), []);
    assert.deepEqual(await byTerm('marigold'), []);
    assert.deepEqual(await byContains('lavender'), [id]);
    assert.deepEqual(await byTerm('lavender first'), [id]);
  });

  test('the case id and the update time have no value rows, are in the documents, and are found before and after indexing', async () => {
    const id = await create('Cinnabar kettle', 'x');
    await store.writeSearchRows();
    const cno = caseNo(store, id)!;
    const updatedTime = async () =>
      (await ts.client.send(new SearchCasesCommand({ domainId, filter: { field: { equalTo: { id: 'case_id', value: { stringValue: id } } } }, fields: [{ id: 'last_updated_datetime' }] })))
        .cases![0]!.fields![0].value!.stringValue!;
    const created = await updatedTime();
    await store.indexAllText();
    await new Promise((r) => setTimeout(r, 5));
    await ts.client.send(new UpdateCaseCommand({ domainId, caseId: id, fields: [{ id: noteId, value: { stringValue: 'y' } }] }));
    const updated = await updatedTime();
    assert.notEqual(updated, created);
    const valueFields = store.db.prepare('SELECT f.field_id FROM search_values v LEFT JOIN search_fields f ON f.fno = v.fno WHERE v.cno = ?').pluck().all(cno);
    assert.deepEqual(valueFields.sort(), ['created_datetime', noteId, 'reference_number', 'status', 'title'].sort());
    const byField = async (op: 'contains' | 'equalTo', fieldId: string, text: string) =>
      (await ts.client.send(new SearchCasesCommand({ domainId, filter: { field: { [op]: { id: fieldId, value: { stringValue: text } } } as never } }))).cases!.map((x) => x!.caseId);
    for (const indexed of [false, true]) {
      if (indexed) {
        await store.indexAllText();
        assert.deepEqual(ftsMatches(store, updated.toLowerCase()), [cno], 'the new time is in the document');
        assert.deepEqual(ftsMatches(store, id.slice(-12)), [cno], 'the case id is in the document');
      } else assert.equal(pendingCount(store), 2, 'the note and the update time');
      assert.deepEqual(await byTerm(updated), [id]);
      assert.deepEqual(await byTerm(`kettle ${id.slice(-12)}`), [id]);
      assert.deepEqual(await byField('contains', 'case_id', id.slice(-12).toUpperCase()), [id]);
      assert.deepEqual(await byField('contains', 'last_updated_datetime', updated.slice(5)), [id]);
      assert.deepEqual(await byField('equalTo', 'last_updated_datetime', updated), [id]);
      // The creation time is still the case's created_datetime, but no longer its update time.
      assert.deepEqual(await byField('equalTo', 'last_updated_datetime', created), []);
      assert.deepEqual(await byField('equalTo', 'created_datetime', created), [id]);
    }
  });

  test('a deleted case is never returned, and the indexer removes its document', async () => {
    const id = await create('Periwinkle modem', 'x');
    await store.indexAllText();
    const cno = caseNo(store, id)!;
    await ts.client.send(new DeleteCaseCommand({ domainId, caseId: id }));
    assert.deepEqual(ftsMatches(store, 'periwinkle'), [cno], 'the stale document stays until the indexer runs');
    assert.deepEqual(await byContains('periwinkle'), []);
    assert.deepEqual(await byTerm('periwinkle'), []);
    await store.indexAllText();
    assert.deepEqual(ftsMatches(store, 'periwinkle'), []);
    assert.deepEqual(await byContains('periwinkle'), []);
  });

  test('a case deleted before it was ever indexed leaves nothing behind', async () => {
    const id = await create('Vermilion router', 'x');
    await ts.client.send(new DeleteCaseCommand({ domainId, caseId: id }));
    assert.deepEqual(await byContains('vermilion'), []);
    await store.indexAllText();
    assert.equal(pendingCount(store), 0);
    assert.deepEqual(ftsMatches(store, 'vermilion'), []);
  });

  test('words of user ARNs are found though the documents leave those values out, also beside words of other fields', async () => {
    const ownerId = (await ts.client.send(new CreateFieldCommand({ domainId, name: uniqueName('owner'), type: 'User' }))).fieldId!;
    const arn = 'arn:aws:connect:us-east-1:111122223333:instance/0a1b2c3d/agent/zebrafinch';
    const fields = [{ id: 'title', value: { stringValue: 'Cobalt kettle' } }, { id: ownerId, value: { userArnValue: arn } }];
    const id = (await ts.client.send(new CreateCaseCommand({ domainId, templateId, fields }))).caseId!;
    await store.indexAllText();
    assert.deepEqual(ftsMatches(store, 'zebrafinch'), [], 'the document holds no user ARN');
    assert.deepEqual(ftsMatches(store, 'cobalt'), [caseNo(store, id)]);
    assert.deepEqual(await byTerm('zebrafinch'), [id]);
    assert.deepEqual(await byTerm('zebrafinch kettle'), [id]);
    assert.deepEqual(await byTerm('agent/zebra cobalt'), [id]);
    assert.deepEqual(await byTerm('zebrafinch teapot'), []);
  });

  test('tagging a case leaves its text alone; its tag rows follow the tags', async () => {
    const { caseId: id, caseArn } = await createWithArn('Saffron laptop', 'x');
    await store.indexAllText();
    await ts.client.send(new TagResourceCommand({ arn: caseArn, tags: { team: 'blue' } }));
    await store.writeSearchRows();
    assert.equal(pendingCount(store), 0, 'a tag change does not queue the text document');
    const tagged = await ts.client.send(new SearchCasesCommand({ domainId, filter: { tag: { equalTo: { key: 'team', value: 'blue' } } } }));
    assert.deepEqual(tagged.cases!.map((x) => x!.caseId), [id]);
    assert.deepEqual(await byContains('saffron'), [id]);
  });
});

describe('the background indexer', () => {
  const aCase = (n: number, title: string) => titledCase(n, title, 'dom-1');
  const search = (store: SqliteStore, words: string[]) =>
    store.read(async (tx) => (await tx.searchCases({ domainId: 'dom-1', words, sorts: [], limit: 100 })).totalCount);

  test('drains many pending cases in batches, and a restart resumes where the last run stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-text-'));
    try {
      let store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
      await store.write(async (tx) => {
        for (let i = 0; i < 1200; i++) await tx.insertCase(aCase(i, i % 3 === 0 ? `gazpacho ${i}` : `other ${i}`));
      });
      await store.writeSearchRows();
      assert.equal(pendingCount(store), 1200);
      assert.equal(await search(store, ['gazpacho']), 400);
      await store.close();

      // More pending cases than one indexer transaction takes: it reschedules itself until none is left.
      store = new SqliteStore({ dataDir: dir });
      await waitFor(() => indexed(store));
      assert.equal(ftsMatches(store, 'gazpacho').length, 400);
      assert.equal(await search(store, ['gazpacho']), 400);
      assert.equal(await search(store, ['other']), 800);

      // Writes queue the indexer by themselves.
      await store.write((tx) => tx.updateCase(aCase(0, 'tortilla'), ['title']));
      assert.equal(await search(store, ['tortilla']), 1);
      assert.equal(await search(store, ['gazpacho']), 399);
      await waitFor(() => indexed(store));
      assert.equal(ftsMatches(store, 'tortilla').length, 1);
      assert.equal(await search(store, ['gazpacho']), 399);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a slice that fails is undone and reported, its cases stay pending and found, and the indexer tries again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-text-'));
    const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: 5 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      // The slice ends by removing the pending rows it indexed: refused, the whole slice fails after its FTS5 inserts.
      store.db.exec("CREATE TRIGGER refuse BEFORE DELETE ON search_text_pending BEGIN SELECT RAISE(ABORT, 'refused'); END");
      await store.write(async (tx) => {
        for (let i = 1; i <= 10; i++) await tx.insertCase(aCase(i, `paella ${i}`));
      });
      await store.writeSearchRows();
      await waitFor(() => warnings.length > 0);
      assert.deepEqual(warnings, ['search text indexing failed: refused']);
      assert.equal(pendingCount(store), 10);
      assert.deepEqual(ftsMatches(store, 'paella'), [], "the slice's documents were undone with it");
      assert.equal(await search(store, ['paella']), 10, 'pending cases are searched by their values');

      store.db.exec('DROP TRIGGER refuse');
      await waitFor(() => indexed(store));
      assert.equal(ftsMatches(store, 'paella').length, 10);
      assert.equal(await search(store, ['paella']), 10);
      assert.equal(warnings.length, 1);
    } finally {
      process.off('warning', onWarning);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("under steady writes the indexer's slices ride on the writes' own commits, and its merging keeps up", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-text-'));
    let commits = 0;
    const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: 5, verbose: (sql) => sql === 'COMMIT' && commits++ });
    const segments = () => store.db.prepare('SELECT count(DISTINCT segid) FROM search_text_recent_idx').pluck().get() as number;
    try {
      await store.write(async (tx) => {
        for (let i = 0; i < 200; i++) await tx.insertCase(aCase(i, `gnocchi ${i}`));
      });
      await waitFor(() => indexed(store));
      // One write every millisecond or so, each its own group, as requests come: the slices (due 5 ms after a
      // write) go into these groups, and a group of the indexer's own (an empty write) comes only when none does.
      commits = 0;
      for (let i = 0; i < 300; i++) {
        await store.write((tx) => tx.updateCase(aCase(i % 200, `risotto ${i}`), ['title']));
        await new Promise((r) => setTimeout(r, 1));
      }
      assert.ok(commits <= 300 + 10, `COMMITs for 300 writes: ${commits}`);
      await waitFor(() => indexed(store));
      // The merge debt is paid by then or soon after (the idle store's own groups): few segments, not one per slice.
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(segments() <= 12, `segments: ${segments()}`);
      assert.equal(await search(store, ['risotto']), 200);
      assert.equal(await search(store, ['gnocchi']), 0);
      store.db.exec("INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('integrity-check', 0)");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the indexer's commits leave the match sets in place; another connection's case writes drop them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-text-'));
    const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: 20, searchSets: { accelerateFrom: 0 } });
    const other = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    // White-box: the loaded sets of the domains (search-counts.ts); a set dropped and loaded again is a new object.
    const loadedSets = () => [...(store as unknown as { search: { sets: { domains: Map<number, object> } } }).search.sets.domains.values()];
    try {
      await store.write(async (tx) => {
        for (let i = 0; i < 30; i++) await tx.insertCase(aCase(i, `paella ${i}`));
      });
      assert.equal(await search(store, ['paella']), 30);
      const [before] = loadedSets();
      assert.ok(before);
      await waitFor(() => indexed(store));
      assert.equal(await search(store, ['paella']), 30);
      assert.equal(loadedSets()[0], before, 'the sets were loaded again after the text indexer committed');

      await other.write((tx) => tx.insertCase(aCase(30, 'paella 30')));
      assert.equal(await search(store, ['paella']), 31);
      assert.notEqual(loadedSets()[0], before);
    } finally {
      await other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a case number reused after a delete gets its own document, not the deleted case\'s', async () => {
    const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
    try {
      await store.write((tx) => tx.insertCase(aCase(1, 'anchovy')));
      await store.indexAllText();
      const cno = caseNo(store, 'case-1');
      await store.write((tx) => tx.deleteCase('dom-1', 'case-1'));
      await store.write((tx) => tx.insertCase(aCase(2, 'brioche')));
      await store.writeSearchRows();
      assert.equal(caseNo(store, 'case-2'), cno, 'SQLite reuses the highest rowid');
      assert.equal(await search(store, ['anchovy']), 0);
      assert.equal(await search(store, ['brioche']), 1);
      await store.indexAllText();
      assert.deepEqual(ftsMatches(store, 'anchovy'), []);
      assert.deepEqual(ftsMatches(store, 'brioche'), [cno]);
      assert.equal(await search(store, ['brioche']), 1);
    } finally {
      await store.close();
    }
  });

  test('an update writes documents of the strings it changed and of the update time; a case deleted loses them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-text-'));
    let store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
    try {
      const arn = (name: string) => `arn:aws:connect:us-east-1:111122223333:instance/0a1b2c3d/agent/${name}`;
      const first: CaseRecord = {
        ...aCase(1, 'mandolin repair'),
        fields: { title: { stringValue: 'mandolin repair' }, note: { stringValue: 'first note' }, amount: { doubleValue: 3 }, owner: { userArnValue: arn('ada') } },
      };
      await store.write((tx) => tx.insertCase(first));
      await store.indexAllText();
      const cno = caseNo(store, 'case-1')!;
      /** The slots of the case's documents in the indexer's table (textKey). */
      const slots = () =>
        (store.db.prepare('SELECT rowid FROM search_text_recent_docsize ORDER BY rowid').pluck().all() as number[])
          .filter((rowid) => rowid % 2 ** 40 === cno)
          .map((rowid) => Math.floor(rowid / 2 ** 40));
      assert.equal(textKey(cno, 0), cno, "a first document's rowid is its case number");
      const fno = (fieldId: string) => store.db.prepare('SELECT fno FROM search_fields WHERE field_id = ?').pluck().get(fieldId) as number;
      const slot = (fieldId: string) => store.db.prepare('SELECT slot FROM search_fields WHERE field_id = ?').pluck().get(fieldId) as number;
      const pending = () => store.db.prepare('SELECT slot FROM search_text_pending ORDER BY slot').pluck().all();
      assert.deepEqual(slots(), [0], 'one document for the new case');

      // A number and a user change no document; the note and the update time do.
      const second = {
        ...first,
        lastUpdatedTime: '2025-02-01T00:00:00.000Z',
        fields: { ...first.fields, note: { stringValue: 'second note' }, amount: { doubleValue: 4 }, owner: { userArnValue: arn('grace') } },
      };
      await store.write((tx) => tx.updateCase(second, ['note', 'amount', 'owner', 'last_updated_datetime']));
      await store.writeSearchRows();
      assert.deepEqual(pending(), [1, slot('note')]);
      await store.indexAllText();
      assert.deepEqual(slots(), [0, 1, slot('note')]);
      assert.deepEqual(ftsMatches(store, 'second note'), [cno]);
      assert.deepEqual(ftsMatches(store, '2025-02-01'), [cno]);
      assert.equal(await search(store, ['second']), 1);
      assert.equal(await search(store, ['first']), 0, 'the first document still holds it: a candidate, checked');

      // A cleared value loses its document.
      const { note: _cleared, ...kept } = second.fields;
      const third = { ...second, fields: kept };
      await store.write((tx) => tx.updateCase(third, ['note']));
      await store.indexAllText();
      assert.deepEqual(slots(), [0, 1]);
      assert.equal(await search(store, ['second']), 0);

      // A field whose slot would take a rowid past 2^53 (8,192 fields in a domain) has the case's first document
      // rewritten instead (a new store: the slots are cached).
      await store.close();
      store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
      store.db.prepare('UPDATE search_fields SET slot = 9000 WHERE fno = ?').run(fno('note'));
      const fourth = { ...third, fields: { ...third.fields, note: { stringValue: 'fourth note' } } };
      await store.write((tx) => tx.updateCase(fourth, ['note']));
      await store.writeSearchRows();
      assert.deepEqual(pending(), [0]);
      await store.indexAllText();
      assert.deepEqual(slots(), [0, 1]);
      assert.deepEqual(ftsMatches(store, 'fourth note'), [cno]);
      assert.deepEqual(ftsMatches(store, '2025-02-01'), [cno]);
      assert.equal(await search(store, ['fourth', 'mandolin']), 1);

      // Deleting the case removes every document it has, those of its fields too.
      const fifth = { ...fourth, fields: { ...fourth.fields, title: { stringValue: 'banjo repair' } } };
      await store.write((tx) => tx.updateCase(fifth, ['title']));
      await store.indexAllText();
      assert.deepEqual(slots(), [0, 1, slot('title')]);
      await store.write((tx) => tx.deleteCase('dom-1', 'case-1'));
      await store.indexAllText();
      assert.deepEqual(slots(), []);
      assert.deepEqual(ftsMatches(store, 'mandolin'), []);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an indexer run writes its documents in rowid order, as one FTS5 segment", async () => {
    const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
    const segments = () => store.db.prepare('SELECT count(DISTINCT segid) FROM search_text_recent_idx').pluck().get() as number;
    try {
      await store.write(async (tx) => {
        for (let i = 0; i < 30; i++) await tx.insertCase(aCase(i, `polenta ${i}`));
      });
      await store.indexAllText();
      assert.equal(segments(), 1);
      // Each update leaves two documents to write, the title's and the update time's: case by case their rowids
      // would fall back at every case (textKey), and FTS5 would start a segment each time.
      await store.write(async (tx) => {
        for (let i = 0; i < 30; i++) await tx.updateCase({ ...aCase(i, `semolina ${i}`), lastUpdatedTime: '2025-04-01T00:00:00.000Z' }, ['title']);
      });
      await store.indexAllText();
      assert.equal(segments(), 2);
      assert.equal(await search(store, ['semolina']), 30);
    } finally {
      await store.close();
    }
  });

  test('deleting a domain queues its documents for removal; other domains are unaffected', async () => {
    const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
    try {
      await store.write(async (tx) => {
        await tx.insertCase(aCase(1, 'paprika'));
        await tx.insertCase({ ...aCase(2, 'paprika'), domainId: 'dom-2' });
      });
      await store.indexAllText();
      // Case 1 gets documents of its title and update time beside its first one.
      await store.write((tx) => tx.updateCase({ ...aCase(1, 'paprika stew'), lastUpdatedTime: '2025-03-01T00:00:00.000Z' }, ['title']));
      await store.indexAllText();
      const cno = caseNo(store, 'case-1')!;
      const documentsOfCase1 = () =>
        (store.db.prepare('SELECT id FROM search_text_recent_docsize').pluck().all() as number[]).filter((id) => id % 2 ** 40 === cno).length;
      assert.equal(documentsOfCase1(), 3);
      await store.write((tx) => tx.deleteDomainData('acct', 'dom-1', 'arn:dom-1'));
      assert.equal(await search(store, ['paprika']), 0);
      await store.indexAllText();
      assert.equal(documentsOfCase1(), 0);
      assert.equal(ftsMatches(store, 'paprika').length, 1);
      const other = await store.read(async (tx) => (await tx.searchCases({ domainId: 'dom-2', words: ['paprika'], sorts: [], limit: 10 })).totalCount);
      assert.equal(other, 1);
    } finally {
      await store.close();
    }
  });
});

test('the indexer takes pending rows in chunks and says whether more wait: at its limit, at the end, after a budget stop', async () => {
  const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
  try {
    // 150 new cases: more than two chunks of pending rows, and limits that end inside a chunk.
    await store.write(async (tx) => {
      for (let i = 1; i <= 150; i++) await tx.insertCase(titledCase(i, `walnut ${i}`));
    });
    await store.writeSearchRows();
    const search = (store as unknown as { search: { indexPendingText(limit: number, budgetMs: number): { handled: number; stoppedEarly: boolean } } }).search;
    const slice = (limit: number, budgetMs: number) => store.write(async () => search.indexPendingText(limit, budgetMs));
    const outcome = async (limit: number, budgetMs: number) => {
      const { handled, stoppedEarly } = await slice(limit, budgetMs);
      return { handled, stoppedEarly };
    };
    assert.equal(pendingCount(store), 150);
    // A budget already spent: one row, and more wait.
    assert.deepEqual(await outcome(500, -1), { handled: 1, stoppedEarly: true });
    // The limit, inside the second chunk: more wait.
    assert.deepEqual(await outcome(100, Infinity), { handled: 100, stoppedEarly: true });
    assert.equal(pendingCount(store), 49);
    // The rest, in a chunk shorter than asked for: the end.
    assert.deepEqual(await outcome(500, Infinity), { handled: 49, stoppedEarly: false });
    assert.deepEqual(await outcome(500, Infinity), { handled: 0, stoppedEarly: false });
    assert.equal(pendingCount(store), 0);
    for (const i of [1, 64, 65, 101, 150]) assert.ok(ftsMatches(store, `walnut ${i}`).length > 0, `case ${i} is indexed`);
  } finally {
    await store.close();
  }
});
