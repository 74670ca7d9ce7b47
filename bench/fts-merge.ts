/**
 * What the text indexer's FTS5 merge costs per page as documents are replaced, against the same volume of new
 * documents (docs/performance-history.md, "Write groups, timed": the merge's cost per page grew eightfold through a
 * bench:api run).
 *
 *   npm run bench:fts-merge [-- --docs 75000 --pool 20000 --deletemerge N --usermerge N]
 *
 * Two databases made by the store itself (so `search_text_recent` has the definition and settings of the
 * migrations), driven the way the indexer drives it: batches of 25 documents of ~600 characters, each batch one
 * transaction that also pays the merge debt, 1.5 pages a document, 8 pages a call. In "replace" a document's number
 * is drawn from a pool of `--pool` cases and its older document is deleted first, as after an UpdateCase; in
 * "fresh" every document is new. Prints, per stretch of documents, the microseconds a merged page took.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { prng } from './load.js';

const BATCH = 25;
const PAGES_PER_DOC = 1.5;
const PAGES_PER_CALL = 8;
const REPORTS = 6;

const WORDS = ('printer login refund delivery invoice password router screen battery shipment warranty subscription ' +
  'payment account upgrade crash noise leak install license customer called again about the issue reported ' +
  'yesterday after update since monday urgent please check order replacement sent waiting for reply escalate ' +
  'manager confirmed resolved partially berlin lisbon osaka denver nairobi oslo lima austin dublin pune perth').split(' ');

interface Stretch {
  docs: number;
  usPerPage: number;
  segments: number;
  /** Pages of the FTS5 table's data (its segments, dead entries included). */
  dataPages: number;
}

async function run(mode: 'replace' | 'fresh', docs: number, pool: number, settings: Record<string, number>): Promise<Stretch[]> {
  const dir = mkdtempSync(join(tmpdir(), 'oc-fts-merge-'));
  const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
  try {
    const db = store.db;
    // FTS5 takes its settings as integers only: a JavaScript number binds as a REAL.
    for (const [name, value] of Object.entries(settings)) db.prepare('INSERT INTO search_text_recent (search_text_recent, rank) VALUES (?, ?)').run(name, BigInt(value));
    const rand = prng(1);
    const text = () => `${Array.from({ length: 90 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')} ord-${Math.floor(rand() * 1e9)}`;
    const insert = db.prepare('INSERT INTO search_text_recent (rowid, doc) VALUES (?, ?)');
    const remove = db.prepare('DELETE FROM search_text_recent WHERE rowid = ?');
    const merge = db.prepare("INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('merge', ?)");
    const segments = db.prepare('SELECT count(DISTINCT segid) FROM search_text_recent_idx').pluck();
    const dataPages = db.prepare('SELECT count(*) FROM search_text_recent_data').pluck();
    const present = new Set<number>();
    const out: Stretch[] = [];
    let next = 1;
    let debt = 0;
    let mergeMs = 0;
    let pages = 0;
    const batches = Math.ceil(docs / BATCH);
    const reportEvery = Math.ceil(batches / REPORTS);
    for (let b = 1; b <= batches; b++) {
      db.transaction(() => {
        for (let i = 0; i < BATCH; i++) {
          let cno = next++;
          if (mode === 'replace') {
            cno = 1 + Math.floor(rand() * pool);
            if (present.has(cno)) remove.run(cno);
            present.add(cno);
          }
          insert.run(cno, text());
          debt += PAGES_PER_DOC;
        }
        for (; debt >= PAGES_PER_CALL; debt -= PAGES_PER_CALL, pages += PAGES_PER_CALL) {
          const started = performance.now();
          merge.run(PAGES_PER_CALL);
          mergeMs += performance.now() - started;
        }
      })();
      if (b % reportEvery === 0 || b === batches) {
        out.push({ docs: b * BATCH, usPerPage: Math.round((mergeMs * 1000) / pages), segments: segments.get() as number, dataPages: dataPages.get() as number });
        process.stderr.write(`  ${mode}: ${b * BATCH} of ${batches * BATCH} documents\n`);
        mergeMs = 0;
        pages = 0;
      }
    }
    return out;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '75000' },
      pool: { type: 'string', default: '20000' },
      deletemerge: { type: 'string' },
      usermerge: { type: 'string' },
    },
  });
  const docs = Number(values.docs);
  const pool = Number(values.pool);
  if (!Number.isInteger(docs) || docs < BATCH * REPORTS || !Number.isInteger(pool) || pool < 1) {
    throw new Error(`--docs takes an integer of at least ${BATCH * REPORTS}, --pool a positive integer`);
  }
  // FTS5 settings to try on the table instead of the store's own (docs/performance-history.md, "Write groups, timed", lists what was tried).
  const settings: Record<string, number> = {};
  for (const name of ['deletemerge', 'usermerge'] as const) {
    if (values[name] === undefined) continue;
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a non-negative integer, not ${values[name]}`);
    settings[name] = value;
  }
  const replace = await run('replace', docs, pool, settings);
  const fresh = await run('fresh', docs, pool, settings);
  const tried = Object.entries(settings).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`FTS5 merge of search_text_recent: ${docs} documents, replacing within ${pool} cases against all new${tried ? `; ${tried}` : ''}`);
  console.log('| documents | replace µs/page | segments | data pages | fresh µs/page | segments | data pages | ratio |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  replace.forEach((r, i) => {
    const f = fresh[i];
    console.log(`| ${r.docs} | ${r.usPerPage} | ${r.segments} | ${r.dataPages} | ${f.usPerPage} | ${f.segments} | ${f.dataPages} | ${(r.usPerPage / f.usPerPage).toFixed(1)} |`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
