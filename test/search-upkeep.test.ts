/**
 * The SQLite store keeps its search rows up to date write by write: new cases in batches, updates in place or
 * while their case waits, undo logs for failed writes, catch-up after another connection's writes or a restart
 * (docs/search.md, "Search rows in batches"). Here random sequences of all of those run against one store, and at
 * random points its searches, walked to the end, must equal those of a store built from scratch (a bulk load of
 * the cases as they should be); at the end its search rows must equal the fresh store's, row for row. The store
 * starts with a bulk load of its own, and bulk loads come in between, at times with another connection writing
 * between their batches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEARCH_BATCH, SqliteStore, type SqliteOptions } from '../src/store/sqlite/sqlite-store.js';
import type { CaseRecord } from '../src/store/types.js';
import { copyAsCrashed } from './support/crashed-copy.js';
import { searchFixtures, walk } from './support/search-fixtures.js';
import { seed } from './support/seeds.js';

const DOMAINS = ['dom-a', 'dom-b'];
/** Words of search-fixtures.ts' titles. */
const TITLE_WORDS = ['printer', 'berlin', 'oslo', 'login', 'missing', 'straße', 'zebra', 'σοφια', 'smile'];
const STEPS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every search row of the database by case and field, as text: what a bulk load and the writes must agree on. */
function searchRows(store: SqliteStore): string[] {
  const rows = store.db
    .prepare(
      `SELECT d.domain_id, c.case_id, c.updated, f.field_id, v.s, v.n
         FROM search_cases c JOIN search_domains d ON d.dno = c.dno
         LEFT JOIN search_values v ON v.cno = c.cno LEFT JOIN search_fields f ON f.fno = v.fno
        UNION ALL
       SELECT d.domain_id, c.case_id, 'tag', t.key, t.value, NULL
         FROM search_tags t JOIN search_cases c ON c.cno = t.cno JOIN search_domains d ON d.dno = c.dno
        ORDER BY 1, 2, 4, 5`,
    )
    .raw()
    .all();
  return rows.map((r) => JSON.stringify(r));
}

/** A store of the same cases, loaded in one go in the order they were created: the search rows as they should be. */
async function fromScratch(live: Map<string, CaseRecord>): Promise<SqliteStore> {
  const fresh = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
  await fresh.loadCases([[...live.values()]]);
  await fresh.indexAllText();
  return fresh;
}

async function run(seedNo: number, options: Partial<SqliteOptions>) {
  // Case ids `case-N`, whose text order is not their creation order: a catch-up batch that numbered its cases by id
  // would break search ties unlike the fresh load, which numbers them in creation order.
  const fx = searchFixtures(seedNo);
  const { rand, pick } = fx;
  let dir = mkdtempSync(join(tmpdir(), 'oc-search-upkeep-'));
  const dirs = [dir];
  const open = () => new SqliteStore({ dataDir: dir, textIndexDelayMs: 1, checkpoints: false, ...options });
  let store = open();
  /** A second connection, as another process on the file; half the time its text indexer is off, and this one's takes its cases. */
  let other: SqliteStore | undefined;
  const openOther = () => new SqliteStore({ dataDir: dir, textIndexDelayMs: rand() < 0.5 ? 1 : false, checkpoints: false, ...options });
  const live = new Map<string, CaseRecord>();
  const kinds: Record<string, number> = {};
  /** Half the time one of the newest cases, whose search rows may still wait for their batch. */
  const someCase = () => {
    const cases = [...live.values()];
    return cases[rand() < 0.5 ? Math.floor(rand() * cases.length) : cases.length - 1 - Math.floor(rand() * Math.min(8, cases.length))];
  };

  const inserts = (n: number) => {
    const cases = Array.from({ length: n }, () => fx.newCase(pick(DOMAINS)));
    return {
      write: (s: SqliteStore) => s.write(async (tx) => {
        for (const c of cases) await tx.insertCase(c);
      }),
      done: () => cases.forEach((c) => live.set(c.caseId, c)),
    };
  };
  const update = (c: CaseRecord) => {
    const { next, changed } = fx.updated(c);
    return { write: (s: SqliteStore) => s.write((tx) => tx.updateCase(next, changed)), done: () => live.set(c.caseId, next) };
  };
  const remove = (c: CaseRecord) => ({
    write: (s: SqliteStore) => s.write((tx) => tx.deleteCase(c.domainId, c.caseId)),
    done: () => live.delete(c.caseId),
  });
  /** A write that changes cases in every way and then fails: none of it may show. */
  const doomed = () => {
    const victim = someCase();
    const born = fx.newCase(pick(DOMAINS));
    return {
      write: (s: SqliteStore) => s.write(async (tx) => {
        await tx.insertCase(born);
        if (victim) {
          await tx.updateCase(fx.updated(victim).next, ['title', 'sev']);
          if (rand() < 0.5) await tx.deleteCase(victim.domainId, victim.caseId);
        }
        throw new Error('undone');
      }),
      done: () => assert.fail('a doomed write succeeded'),
    };
  };
  /** `taken`: cases that writes of the same group change already (the store's caller checks that a case exists). */
  const someWrite = (taken = new Set<string>()) => {
    const r = rand();
    const c = someCase();
    if (r < 0.4 || live.size < 5 || taken.has(c.caseId)) return inserts(1 + Math.floor(rand() * 4));
    taken.add(c.caseId);
    return r < 0.85 ? update(c) : remove(c);
  };

  /**
   * A bulk load in `parts` batches. Between two batches the file is free, and at times another connection writes
   * then, as another process may: its new cases must be numbered between the batches and stay searchable.
   */
  const bulkLoad = async (cases: CaseRecord[], parts: number) => {
    const size = Math.ceil(cases.length / parts);
    async function* batches() {
      for (let i = 0; i < cases.length; i += size) {
        if (i > 0 && rand() < 0.7) {
          other ??= openOther();
          const w = rand() < 0.5 ? inserts(1 + Math.floor(rand() * 3)) : someWrite();
          await w.write(other);
          w.done();
          if (rand() < 0.5) await other.writeSearchRows();
        }
        const batch = cases.slice(i, i + size);
        yield batch;
        // Asked for the next batch, the load has committed this one.
        for (const c of batch) live.set(c.caseId, c);
      }
    }
    await store.loadCases(batches());
  };

  async function compare(step: number) {
    const fresh = await fromScratch(live);
    try {
      for (let i = 0; i < 4; i++) {
        // Pages of 50: paging itself is test/search-sets.test.ts's concern, and the domains grow to ~1,000 cases.
        const q = { ...fx.randomQuery(pick(DOMAINS)), limit: 50 };
        assert.deepEqual(await walk(store, q, false), await walk(fresh, q, false), `seed ${seedNo}, step ${step}: ${JSON.stringify(q)}`);
      }
    } finally {
      await fresh.close();
    }
  }

  try {
    // A bulk load first: the store's text index is then built apart (bulk-text.ts), and updates leave stale
    // documents in it ("Stale loaded documents" in docs/search.md).
    await bulkLoad(Array.from({ length: 150 }, () => fx.newCase(pick(DOMAINS))), 3);
    for (let step = 0; step < STEPS; step++) {
      const r = rand();
      const kind =
        r < 0.43 ? 'write'
        : r < 0.45 ? 'bulk load'
        : r < 0.5 ? 'full batch'
        : r < 0.6 ? 'group with a failing write'
        : r < 0.7 ? 'other connection'
        : r < 0.73 ? 'pause'
        : r < 0.76 ? 'restart'
        : r < 0.79 ? 'crash'
        : 'search';
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      switch (kind) {
        case 'write': {
          const w = someWrite();
          await w.write(store);
          w.done();
          break;
        }
        case 'bulk load': {
          // Later loads leave their text to the indexer; a load writes the waiting batch first.
          await bulkLoad(Array.from({ length: 1 + Math.floor(rand() * 20) }, () => fx.newCase(pick(DOMAINS))), 1 + Math.floor(rand() * 3));
          break;
        }
        case 'full batch': {
          // Brings the waiting cases past SEARCH_BATCH in one group: the group writes them, or as many as its budget
          // allows.
          const w = inserts(SEARCH_BATCH + Math.floor(rand() * 8));
          await w.write(store);
          w.done();
          break;
        }
        case 'group with a failing write': {
          const taken = new Set<string>();
          const writes = [someWrite(taken), doomed(), someWrite(taken), rand() < 0.5 ? someWrite(taken) : doomed()];
          // One write group: none awaited before the last is asked for.
          const results = await Promise.allSettled(writes.map((w) => w.write(store)));
          results.forEach((result, i) => {
            if (result.status === 'fulfilled') writes[i].done();
            else assert.equal((result.reason as Error).message, 'undone', `seed ${seedNo}, step ${step}: ${String(result.reason)}`);
          });
          break;
        }
        case 'other connection': {
          other ??= openOther();
          for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) {
            const w = someWrite();
            await w.write(other);
            w.done();
          }
          if (rand() < 0.3) await other.writeSearchRows();
          break;
        }
        case 'pause':
          // Long enough for the timed batch (100 ms after the first waiting case) and the text indexer's slices.
          await sleep(110 + Math.floor(rand() * 40));
          break;
        case 'restart':
          await other?.close();
          other = undefined;
          await store.close();
          store = open();
          break;
        case 'crash': {
          // The old stores close afterwards, on files no longer used: closing writes their batches.
          const copy = copyAsCrashed(dir);
          dirs.push(copy);
          await other?.close();
          other = undefined;
          await store.close();
          dir = copy;
          store = open();
          break;
        }
        case 'search':
          await compare(step);
          break;
      }
    }
    await compare(STEPS);
    await other?.writeSearchRows();
    await store.writeSearchRows();
    const fresh = await fromScratch(live);
    try {
      assert.deepEqual(searchRows(store), searchRows(fresh), `seed ${seedNo}: the search rows`);
      // The text index, which the rows above leave out: every word of the titles finds the same cases in both (a
      // lost document hides its case from word searches alone, which the random queries may not happen to make).
      for (const domainId of DOMAINS) {
        for (const word of TITLE_WORDS) {
          const q = { domainId, words: [word], sorts: [], limit: 100 };
          assert.deepEqual(await walk(store, q, false), await walk(fresh, q, false), `seed ${seedNo}: the cases of the word ${word}`);
        }
      }
    } finally {
      await fresh.close();
    }
    assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
    return kinds;
  } finally {
    await other?.close();
    await store.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

test('search rows kept by writes, restarts and another connection answer as rows built from scratch (plain SQL)', async () => {
  const kinds = await run(seed(11), { searchSets: { accelerateFrom: Infinity } });
  // Every kind of step ran.
  assert.equal(Object.keys(kinds).length, 9, JSON.stringify(kinds));
});

test('the same with match sets answering the searches', async () => {
  const kinds = await run(seed(12), { searchSets: { accelerateFrom: 0, dictionaryCap: 4, budgetBytes: 48 * 1024 } });
  assert.equal(Object.keys(kinds).length, 9, JSON.stringify(kinds));
});
