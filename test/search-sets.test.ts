/**
 * The SQLite search's match sets (src/store/sqlite/search-counts.ts) against the plain SQL path: two stores
 * on one database file, one answering from sets (on domains of any size, with small dictionaries and budgets so
 * that every path runs), the other in plain SQL. After every kind of write — inserts, updates that move cases
 * between values, tag changes, deletes, a group commit with a failing write, writes by the other connection,
 * DeleteDomain — both must return the same totalCount and the same pages, walked to the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { timeOf, type MatchSetOptions } from '../src/store/sqlite/search-counts.js';
import type { CaseRecord, Store } from '../src/store/types.js';
import { startTestServer, type TestServer } from './helpers.js';
import {
  CreateCaseCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteCaseCommand,
  SearchCasesCommand,
  TagResourceCommand,
  UpdateCaseCommand,
  CreateDomainCommand,
  type CaseFilter,
} from '@aws-sdk/client-connectcases';
import { prng } from './support/fuzz.js';
import { searchFixtures, walk } from './support/search-fixtures.js';
import { seed } from './support/seeds.js';

const DOMAINS = ['dom-a', 'dom-b'];
const { pick, cmp, newCase, updated, randomQuery } = searchFixtures(seed(7));

describe('match sets answer as plain SQL does', () => {
  let dir: string;
  let sets: SqliteStore;
  let plain: SqliteStore;
  const live: Record<string, CaseRecord> = {};

  const open = (options: MatchSetOptions) => new SqliteStore({ dataDir: dir, searchSets: options });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oc-search-sets-'));
    sets = open({ accelerateFrom: 0, dictionaryCap: 4, budgetBytes: 48 * 1024 });
    plain = open({ accelerateFrom: Infinity });
  });
  after(async () => {
    await sets.close();
    await plain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function compare(queries: number, store = sets) {
    for (let i = 0; i < queries; i++) {
      const q = randomQuery(pick(DOMAINS));
      const expected = await walk(plain, q);
      assert.deepEqual(await walk(store, q), expected, `query ${JSON.stringify(q)}`);
    }
  }

  async function insert(store: Store, n: number) {
    await store.write(async (tx) => {
      for (let i = 0; i < n; i++) {
        const c = newCase(pick(DOMAINS));
        await tx.insertCase(c);
        live[c.caseId] = c;
      }
    });
  }

  const someCase = () => live[pick(Object.keys(live))];

  async function update(store: Store, c: CaseRecord) {
    const { next, changed } = updated(c);
    await store.write((tx) => tx.updateCase(next, changed));
    live[c.caseId] = next;
  }

  test('after inserts', async () => {
    await insert(sets, 150);
    await insert(sets, 150);
    await compare(60);
  });

  test('after a warm-up, largest domain first, writes before any search, and a bulk load', async () => {
    // Room for every set, so that none is dropped and loaded again between the queries.
    const roomy = open({ accelerateFrom: 0 });
    try {
      const warmed = await roomy.warmUp();
      assert.deepEqual(warmed.map((d) => d.domainId).sort(), [...DOMAINS].sort());
      assert.ok(warmed[0].cases >= warmed[1].cases);
      // Writes while only the base sets are loaded, then the first searches load their leaves.
      for (let i = 0; i < 20; i++) await update(roomy, someCase());
      await insert(roomy, 20);
      await compare(30, roomy);
      const batch = Array.from({ length: 80 }, () => newCase(pick(DOMAINS)));
      await roomy.loadCases([batch.slice(0, 40), batch.slice(40)]);
      for (const c of batch) live[c.caseId] = c;
      await compare(60, roomy);
    } finally {
      await roomy.close();
    }
  });

  test('with a budget too small for both domains, each search evicts the other domain', async () => {
    const tiny = open({ accelerateFrom: 0, dictionaryCap: 4, budgetBytes: 20 * 1024 });
    try {
      await compare(40, tiny);
      for (let i = 0; i < 10; i++) await update(tiny, someCase());
      await compare(40, tiny);
    } finally {
      await tiny.close();
    }
  });

  test('after updates that move cases between values, and tag changes', async () => {
    // The writes of the test before came through another connection and dropped the sets: these queries load them
    // again, so that the updates below must keep them.
    await compare(40);
    for (let i = 0; i < 60; i++) await update(sets, someCase());
    await compare(60);
  });

  test('after deletes', async () => {
    for (let i = 0; i < 30; i++) {
      const c = someCase();
      await sets.write((tx) => tx.deleteCase(c.domainId, c.caseId));
      delete live[c.caseId];
    }
    await compare(60);
  });

  test('after a group commit in which one write fails after indexing its change', async () => {
    const victim = someCase();
    const doomed = newCase(victim.domainId);
    const writes = [
      update(sets, someCase()),
      sets.write(async (tx) => {
        await tx.insertCase(doomed);
        await tx.deleteCase(victim.domainId, victim.caseId);
        throw new Error('rolled back');
      }),
      insert(sets, 5),
      update(sets, someCase()),
    ];
    const results = await Promise.allSettled(writes);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const found = await sets.read((tx) => tx.searchCases({ domainId: victim.domainId, words: [], sorts: [], limit: 1, condition: { kind: 'compare', fieldId: 'title', op: '=', column: 's', value: victim.fields.title.stringValue! } }));
    assert.ok(found.totalCount >= 1);
    await compare(60);
  });

  test('after a write group that fails as a whole', async () => {
    const c = someCase();
    // A reference number is unique per domain: the second insert fails inside the transaction.
    await assert.rejects(sets.write(async (tx) => {
      await tx.updateCase({ ...c, fields: { ...c.fields, sev: { stringValue: 'moved' } } }, ['sev']);
      await tx.insertCase({ ...newCase(c.domainId), referenceNumber: c.referenceNumber });
    }));
    const moved = await sets.read((tx) => tx.searchCases({ domainId: c.domainId, words: [], sorts: [], limit: 5, condition: cmp('sev', '=', 's', 'moved') }));
    assert.equal(moved.totalCount, 0);
    await compare(40);
  });

  test('after writes through another connection to the same file', async () => {
    await insert(plain, 40);
    for (let i = 0; i < 20; i++) await update(plain, someCase());
    await compare(60);
  });

  test('after DeleteDomain', async () => {
    await sets.write((tx) => tx.deleteDomainData('111122223333', 'dom-b', 'arn:aws:cases:us-east-1:111122223333:domain/dom-b'));
    for (const [id, c] of Object.entries(live)) if (c.domainId === 'dom-b') delete live[id];
    const gone = await sets.read((tx) => tx.searchCases({ domainId: 'dom-b', words: [], sorts: [], limit: 5, condition: { kind: 'not', condition: { kind: 'and', conditions: [] } } }));
    assert.equal(gone.totalCount, 0);
    // The plain store's SearchIndex caches domain numbers: after another connection recreated the domain, it
    // needs reopening.
    await plain.close();
    plain = open({ accelerateFrom: Infinity });
    await insert(sets, 60);
    await compare(60);
  });
});

test('update times parse to numbers in the order of their text, others to NaN', () => {
  const r = prng(seed(3)).next;
  for (let i = 0; i < 2000; i++) {
    // Years 0000-9999: the four-digit form.
    const iso = new Date(-62167219200000 + Math.floor(r() * (253402300799999 + 62167219200000))).toISOString();
    assert.equal(timeOf(iso), Date.parse(iso), iso);
  }
  for (const odd of ['2023-02-29T00:00:00.000Z', '2025-13-01T00:00:00.000Z', '2025-01-01T24:00:00.000Z', '2025-01-01T00:00:00Z', '+012345-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000+00:00', '2025-0a-01T00:00:00.000Z']) {
    assert.ok(Number.isNaN(timeOf(odd)), odd);
  }
  assert.equal(timeOf('0001-01-01T00:00:00.000Z'), Date.parse('0001-01-01T00:00:00.000Z'));
  assert.equal(timeOf('2024-02-29T23:59:59.999Z'), Date.parse('2024-02-29T23:59:59.999Z'));
});

describe('match sets through the API', () => {
  let ts: TestServer;
  let domainId: string;
  let templateId: string;
  let severity: string;
  before(async () => {
    ts = await startTestServer({ store: new SqliteStore({ dataDir: ':memory:', searchSets: { accelerateFrom: 0 } }) });
    domainId = (await ts.client.send(new CreateDomainCommand({ name: 'sets' }))).domainId!;
    severity = (await ts.client.send(new CreateFieldCommand({ domainId, name: 'severity', type: 'Text' }))).fieldId!;
    templateId = (await ts.client.send(new CreateTemplateCommand({ domainId, name: 't', status: 'Active' }))).templateId!;
  });
  after(() => ts.close());

  const arns: Record<string, string> = {};
  const create = async (title: string, sev: string) => {
    const out = await ts.client.send(new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: title } }, { id: severity, value: { stringValue: sev } }] }));
    arns[out.caseId!] = out.caseArn!;
    return out.caseId!;
  };
  const search = async (filter?: CaseFilter, searchTerm?: string) => {
    const r = await ts.client.send(new SearchCasesCommand({ domainId, filter, searchTerm }));
    return { total: r.totalCount, ids: r.cases!.map((x) => x!.caseId!).sort() };
  };
  const bySeverity = (value: string): CaseFilter => ({ field: { equalTo: { id: severity, value: { stringValue: value } } } });

  test('counts and pages follow creates, updates, tags and deletes', async () => {
    const a = await create('printer jam', 'high');
    const b = await create('login slow', 'high');
    const c = await create('printer offline', 'low');
    assert.deepEqual(await search(bySeverity('high')), { total: 2, ids: [a, b].sort() });
    assert.deepEqual(await search(undefined, 'printer'), { total: 2, ids: [a, c].sort() });

    await ts.client.send(new UpdateCaseCommand({ domainId, caseId: a, fields: [{ id: severity, value: { stringValue: 'low' } }, { id: 'title', value: { stringValue: 'toner empty' } }] }));
    assert.deepEqual(await search(bySeverity('high')), { total: 1, ids: [b] });
    assert.deepEqual(await search(bySeverity('low')), { total: 2, ids: [a, c].sort() });
    assert.deepEqual(await search(undefined, 'printer'), { total: 1, ids: [c] });
    assert.deepEqual(await search({ not: bySeverity('low') }), { total: 1, ids: [b] });

    const tagged = { tag: { equalTo: { key: 'team', value: 'alpha' } } };
    assert.deepEqual(await search(tagged), { total: 0, ids: [] });
    await ts.client.send(new TagResourceCommand({ arn: arns[c], tags: { team: 'alpha' } }));
    assert.deepEqual(await search(tagged), { total: 1, ids: [c] });

    await ts.client.send(new DeleteCaseCommand({ domainId, caseId: c }));
    assert.deepEqual(await search(bySeverity('low')), { total: 1, ids: [a] });
    assert.deepEqual(await search(tagged), { total: 0, ids: [] });
    assert.deepEqual(await search(undefined, 'printer'), { total: 0, ids: [] });
  });
});
