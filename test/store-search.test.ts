/**
 * The two stores answer SearchCases with two implementations of one algebra: SQLite's value and text indexes
 * (src/store/sqlite/search-sql.ts) and PostgreSQL's (src/store/postgres/). The store conformance suite checks each
 * against fixed cases; here the same random writes go to both, and their answers to random searches, walked to the
 * end, must be the same: matches, counts and order, with non-ASCII text, emptiness, tags, words and two sorts. The
 * same for SearchRelatedItems (types and search keys, sorts, ties, pages).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { CaseRecord, RelatedItemRecord, RelatedItemSearch, Store } from '../src/store/types.js';
import { prng } from './support/fuzz.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { searchFixtures, walk } from './support/search-fixtures.js';
import { seed } from './support/seeds.js';

const DOMAINS = ['dom-a', 'dom-b'];

let cluster: TestPostgres;
before(async () => {
  cluster = await startTestPostgres();
});
after(async () => {
  await cluster.stop();
});

test('SQLite and PostgreSQL answer the same searches after the same writes', async () => {
  const fx = searchFixtures(seed(21));
  const { rand, pick } = fx;
  const stores: Store[] = [new SqliteStore({ dataDir: ':memory:' }), await PgStore.open({ url: await cluster.createDatabase() })];
  const [sqlite, postgres] = stores;
  const live = new Map<string, CaseRecord>();
  const someCase = () => [...live.values()][Math.floor(rand() * live.size)];
  const onBoth = (fn: (store: Store) => Promise<void>) => Promise.all(stores.map(fn));
  try {
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 25; i++) {
        const r = rand();
        if (r < 0.5 || live.size < 10) {
          const cases = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => fx.newCase(pick(DOMAINS)));
          await onBoth((s) => s.write(async (tx) => {
            for (const c of cases) await tx.insertCase(c);
          }));
          for (const c of cases) live.set(c.caseId, c);
        } else if (r < 0.9) {
          const { next, changed } = fx.updated(someCase());
          await onBoth((s) => s.write((tx) => tx.updateCase(next, changed)));
          live.set(next.caseId, next);
        } else {
          const c = someCase();
          await onBoth((s) => s.write((tx) => tx.deleteCase(c.domainId, c.caseId)));
          live.delete(c.caseId);
        }
      }
      for (let i = 0; i < 15; i++) {
        const q = { ...fx.randomQuery(pick(DOMAINS)), limit: 1 + Math.floor(rand() * 30) };
        assert.deepEqual(await walk(postgres, q, false), await walk(sqlite, q, false), `round ${round}: ${JSON.stringify(q)}`);
      }
    }
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('SQLite and PostgreSQL answer the same related-item searches after the same writes', async () => {
  const { int, pick, chance } = prng(seed(22));
  const stores: Store[] = [new SqliteStore({ dataDir: ':memory:' }), await PgStore.open({ url: await cluster.createDatabase() })];
  const [sqlite, postgres] = stores;
  const TYPES = ['Contact', 'File', 'Comment', 'Sla', 'ConnectCase', 'Custom'];
  const KEYS = ['arn:contact/1', 'arn:contact/2', 'arn:file/Ä', 'case-b', null];
  const CASES = ['case-a', 'case-b', 'case-c', 'case-10', 'case-9'];
  const items: RelatedItemRecord[] = [];
  let serial = 0;
  // Few distinct times, so that sorts tie and seq decides.
  const newItem = (): RelatedItemRecord => ({
    domainId: pick(['dom-a', 'dom-b']),
    caseId: pick(CASES),
    relatedItemId: `ri-${++serial}`,
    type: pick(TYPES),
    associationTime: `2025-01-0${int(1, 4)}T00:00:00.000Z`,
    content: { comment: { body: `item ${serial}`, contentType: 'Text/Plain' } },
    searchKey: pick(KEYS),
  });
  /** Every page of a search, walked to the end, each store with its own positions. */
  async function walkItems(store: Store, q: RelatedItemSearch) {
    const pages: string[][] = [];
    let after: RelatedItemSearch['after'];
    for (let i = 0; i < 1000; i++) {
      const page = await store.read((tx) => tx.searchRelatedItems({ ...q, after }));
      pages.push(page.map((r) => r.relatedItemId));
      if (page.length < q.limit) return pages;
      const last = page[page.length - 1];
      after = { associationTime: last.associationTime, caseId: last.caseId, seq: last.seq! };
    }
    throw new Error('the walk did not end');
  }
  try {
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 30; i++) {
        if (chance(0.7) || items.length < 5) {
          const item = newItem();
          await Promise.all(stores.map((s) => s.write((tx) => tx.insertRelatedItem(item))));
          items.push(item);
        } else if (chance(0.5)) {
          const [item] = items.splice(int(0, items.length - 1), 1);
          await Promise.all(stores.map((s) => s.write((tx) => tx.deleteRelatedItem(item.domainId, item.caseId, item.relatedItemId))));
        } else {
          const item = items[int(0, items.length - 1)];
          const changed = { ...item, searchKey: pick(KEYS), associationTime: `2025-01-0${int(1, 4)}T00:00:00.000Z` };
          await Promise.all(stores.map((s) => s.write((tx) => tx.updateRelatedItem(changed))));
          items[items.indexOf(item)] = changed;
        }
      }
      for (let i = 0; i < 15; i++) {
        const q: RelatedItemSearch = {
          domainId: pick(['dom-a', 'dom-b']),
          caseId: chance(0.3) ? pick(CASES) : undefined,
          matches: Array.from({ length: int(0, 3) }, () => ({ type: pick(TYPES), searchKey: chance(0.5) ? pick(KEYS) ?? undefined : undefined })),
          sorts: pick([[], [{ property: 'associationTime', descending: chance(0.5) }], [{ property: 'caseId', descending: chance(0.5) }, { property: 'associationTime', descending: chance(0.5) }]]),
          limit: int(1, 10),
        };
        assert.deepEqual(await walkItems(postgres, q), await walkItems(sqlite, q), `round ${round}: ${JSON.stringify(q)}`);
      }
    }
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
