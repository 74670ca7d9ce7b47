/**
 * Random cases, updates and store-level searches for the tests that compare two ways of answering SearchCases
 * (test/search-sets.test.ts: match sets against plain SQL; test/search-upkeep.test.ts: search rows kept by writes
 * against rows built from scratch). Seeded, so that a failing run replays.
 */
import type { CaseCondition, CaseRecord, CaseSearch, Store } from '../../src/store/types.js';
import { prng } from './fuzz.js';

// Strings whose order differs by code unit, code point and locale: accents, case, full-width letters, and an emoji
// (a surrogate pair, below U+FF5A by code unit and above it by code point).
const TITLES = ['Printer jam in Berlin', 'login slow', 'ÉCOLE Straße', 'refund MISSING in Oslo', 'printer offline', 'ΣΟΦΙΑ berlin', 'Émile zebra', '😀 smile in Oslo', 'ｚｅｂｒａ Berlin'];
// Numbers that binary floating point and decimal types tell apart, or order oddly: 0.1 + 0.2, -0, very large.
const ODD_AMOUNTS = [0.1, 0.3, 0.30000000000000004, -0, -5.5, 1e21, 123456789.123];
const SEVERITIES = ['low', 'high', 'critical', 'Critical'];

/** Case ids are `case-N`, whose text order is not their creation order (`case-10` < `case-9`). */
export function searchFixtures(seed: number) {
  const caseId = (n: number) => `case-${n}`;
  const rand = prng(seed).next;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  let serial = 0;
  let clock = Date.parse('2025-01-01T00:00:00.000Z');

  function randomFields(): CaseRecord['fields'] {
    const f: CaseRecord['fields'] = {
      title: { stringValue: pick(TITLES) },
      sev: { stringValue: pick(SEVERITIES) },
      amt: { doubleValue: rand() < 0.2 ? pick(ODD_AMOUNTS) : Math.floor(rand() * 100) },
      vip: { booleanValue: rand() < 0.3 },
      due: { stringValue: new Date(Date.parse('2025-01-01T00:00:00.000Z') + Math.floor(rand() * 30) * 86_400_000).toISOString() },
      ref: { stringValue: `REF-${Math.floor(rand() * 1e6)}` },
    };
    if (rand() < 0.5) f.notes = { stringValue: pick(['call back', 'urgent Berlin', 'noted', '50% off_now']) };
    if (rand() < 0.2) f.amt = { emptyValue: {} };
    return f;
  }

  function randomTags(): Record<string, string> {
    const tags: Record<string, string> = {};
    if (rand() < 0.5) tags.team = pick(['alpha', 'beta', '']);
    if (rand() < 0.3) tags.env = 'prod';
    return tags;
  }

  function newCase(domainId: string): CaseRecord {
    clock += Math.floor(rand() * 3) * 1000; // equal update times happen: ties are ordered by creation
    const t = new Date(clock).toISOString();
    const n = ++serial;
    // The system fields as the server writes them (createCase.ts): the stores may read the case id and the update
    // time from either the record or its fields.
    const fields = {
      ...randomFields(),
      case_id: { stringValue: caseId(n) },
      reference_number: { stringValue: String(n) },
      created_datetime: { stringValue: t },
      last_updated_datetime: { stringValue: t },
    };
    return { domainId, caseId: caseId(n), templateId: 'tpl', referenceNumber: String(n), createdTime: t, lastUpdatedTime: t, fields, tags: randomTags() };
  }

  /** The case changed as an UpdateCase would: some fields (maybe none), maybe its tags, and its update time. */
  function updated(c: CaseRecord): { next: CaseRecord; changed: string[] } {
    clock += 1000;
    const fields = randomFields();
    const changed = Object.keys(fields).filter(() => rand() < 0.5);
    const time = new Date(clock).toISOString();
    const next: CaseRecord = { ...c, lastUpdatedTime: time, fields: { ...c.fields, last_updated_datetime: { stringValue: time } }, tags: rand() < 0.5 ? randomTags() : c.tags };
    for (const id of changed) next.fields[id] = fields[id];
    return { next, changed: [...changed, 'last_updated_datetime'] };
  }

  const cmp = (fieldId: string, op: '=' | '>' | '>=' | '<' | '<=', column: 's' | 'n', value: string | number): CaseCondition => ({ kind: 'compare', fieldId, op, column, value });

  function randomLeaf(): CaseCondition {
    switch (Math.floor(rand() * 12)) {
      case 0:
        return cmp('sev', '=', 's', pick(SEVERITIES));
      case 1:
        if (rand() < 0.3) return cmp('amt', pick(['=', '>', '<=']), 'n', pick(ODD_AMOUNTS));
        return { kind: 'and', conditions: [cmp('amt', '>=', 'n', Math.floor(rand() * 50)), cmp('amt', '<', 'n', 50 + Math.floor(rand() * 50))] };
      case 2:
        return cmp('vip', '=', 'n', pick([0, 1]));
      case 3:
        return cmp('due', pick(['>', '<=']), 's', new Date(Date.parse('2025-01-10T00:00:00.000Z') + Math.floor(rand() * 10) * 86_400_000).toISOString());
      case 4:
        return { kind: 'contains', fieldId: pick(['title', 'notes', 'ref']), text: pick(['printer', 'berlin', 'in', 'é', 'σοφια', 'ref-1', 'straße', '', '😀', 'ｚｅｂ', '0%', 'f_n', '%']) };
      case 5:
        return { kind: 'empty', fieldId: pick(['notes', 'amt', 'nosuchfield']) };
      case 6:
        return rand() < 0.5 ? { kind: 'tag', key: 'team', value: pick(['alpha', 'beta', '']) } : { kind: 'tag', key: pick(['team', 'env']) };
      case 7:
        return cmp('title', pick(['>', '<']), 's', pick(TITLES));
      case 8:
        // The update time and the case id are read from search_cases, not from value rows (migration 11).
        // A few fixed instants, so that sets loaded once are kept and must follow the updates that move cases across.
        return cmp('last_updated_datetime', pick(['>', '<=']), 's', new Date(Date.parse('2025-01-01T00:00:00.000Z') + pick([150, 300, 600]) * 1000).toISOString());
      case 9:
        return cmp('case_id', pick(['=', '<']), 's', caseId(1 + Math.floor(rand() * serial)));
      case 10: {
        const fieldId = pick(['case_id', 'last_updated_datetime']);
        return rand() < 0.7 ? { kind: 'contains', fieldId, text: pick(['se-1', ':0', 'e-2', '01t']) } : { kind: 'empty', fieldId };
      }
      default:
        return cmp('nosuchfield', '=', 's', 'x');
    }
  }

  function randomCondition(depth = 0): CaseCondition {
    const r = rand();
    if (depth > 2 || r < 0.4) return randomLeaf();
    if (r < 0.55) return { kind: 'not', condition: randomCondition(depth + 1) };
    const n = Math.floor(rand() * 4);
    return { kind: rand() < 0.5 ? 'and' : 'or', conditions: Array.from({ length: n }, () => randomCondition(depth + 1)) };
  }

  function randomQuery(domainId: string): CaseSearch {
    const sorts: CaseSearch['sorts'][] = [
      [],
      [],
      [{ fieldId: 'amt', column: 'n', descending: true }],
      [{ fieldId: 'title', column: 's', descending: false }, { fieldId: 'amt', column: 'n', descending: rand() < 0.5 }],
      [{ fieldId: 'notes', column: 's', descending: false }],
      [{ fieldId: 'last_updated_datetime', column: 's', descending: rand() < 0.5 }],
      [{ fieldId: 'case_id', column: 's', descending: true }, { fieldId: 'last_updated_datetime', column: 's', descending: false }],
      [{ fieldId: 'notes', column: 's', descending: false }, { fieldId: 'last_updated_datetime', column: 's', descending: true }],
    ];
    return {
      domainId,
      condition: rand() < 0.9 ? randomCondition() : undefined,
      words: rand() < 0.3 ? [pick(['printer', 'berlin', 'straße', 'ref-', 'in', 'σοφια', 'case-1', '2025-01-01t00:0', 't00:1', 't00:2', '😀', 'ｚｅｂｒａ']), ...(rand() < 0.5 ? ['berlin'] : [])] : [],
      sorts: pick(sorts),
      limit: 1 + Math.floor(rand() * 7),
    };
  }

  return { rand, pick, cmp, newCase, updated, randomTags, randomQuery };
}

/** Every page of a search, walked to the end: each page's totalCount and its case ids, with their positions or not. */
export async function walk(store: Store, q: CaseSearch, withPositions = true) {
  const pages: unknown[] = [];
  let position: CaseSearch['after'];
  for (let i = 0; i < 1000; i++) {
    const r = await store.read((tx) => tx.searchCases({ ...q, after: position }));
    pages.push([r.totalCount, r.hits.map((h) => (withPositions ? [h.record.caseId, h.position] : h.record.caseId))]);
    if (r.hits.length < q.limit) return pages;
    position = r.hits[r.hits.length - 1].position;
  }
  throw new Error('the walk did not end');
}
