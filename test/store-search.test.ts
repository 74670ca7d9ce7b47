/**
 * The two stores answer SearchCases with two implementations of one algebra: SQLite's value and text indexes
 * (src/store/sqlite/search-sql.ts) and PostgreSQL's (src/store/postgres/). The store conformance suite checks each
 * against fixed cases; here the same random writes go to both, and their answers to random searches, walked to the
 * end, must be the same: matches, counts and order, with non-ASCII text, emptiness, tags, words and two sorts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { CaseRecord, Store } from '../src/store/types.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { searchFixtures, walk } from './support/search-fixtures.js';

const DOMAINS = ['dom-a', 'dom-b'];

let cluster: TestPostgres;
before(async () => {
  cluster = await startTestPostgres();
});
after(async () => {
  await cluster.stop();
});

test('SQLite and PostgreSQL answer the same searches after the same writes', async () => {
  const fx = searchFixtures(21);
  const { rand, pick } = fx;
  const stores: Store[] = [new SqliteStore({ dataDir: ':memory:' }), await PgStore.open({ url: await cluster.createDatabase() })];
  const [sqlite, postgres] = stores;
  const live = new Map<string, CaseRecord>();
  const someCase = () => [...live.values()][Math.floor(rand() * live.size)];
  const onBoth = (fn: (store: Store) => Promise<void>) => Promise.all(stores.map(fn));
  let queries = 0;
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
      for (let i = 0; i < 15; i++, queries++) {
        const q = { ...fx.randomQuery(pick(DOMAINS)), limit: 1 + Math.floor(rand() * 30) };
        assert.deepEqual(await walk(postgres, q, false), await walk(sqlite, q, false), `round ${round}: ${JSON.stringify(q)}`);
      }
    }
    assert.equal(queries, 180);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
