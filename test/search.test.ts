/** SearchCases end to end through the SDK: every operator on every field type, nesting, tags, searchTerm, sorts, pages. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteCaseCommand,
  DeleteFieldCommand,
  SearchCasesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateCaseCommand,
  type CaseFilter,
  type FieldFilter,
  type FieldValueUnion,
  type SearchCasesCommandInput,
  type Sort,
} from '@aws-sdk/client-connectcases';
import { assertValidation, startTestServer, uniqueName, type TestServer } from './helpers.js';

const USER = (n: number) => `arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/agent/0000000${n}-bbbb-cccc-dddd-eeeeeeeeeeee`;

let ts: TestServer;
let clock = Date.parse('2025-01-01T00:00:00.000Z');
let domainId: string;
let templateId: string;
/** Custom field ids by name. */
const f: Record<string, string> = {};
/** Case ids by label. */
const c: Record<string, string> = {};
const arns: Record<string, string> = {};

type Values = Record<string, FieldValueUnion>;
const str = (stringValue: string): FieldValueUnion => ({ stringValue });
const num = (doubleValue: number): FieldValueUnion => ({ doubleValue });

async function createCase(label: string, values: Values, tags?: Record<string, string>) {
  clock += 1000;
  const fields = Object.entries(values).map(([id, value]) => ({ id: f[id] ?? id, value }));
  const out = await ts.client.send(new CreateCaseCommand({ domainId, templateId, fields, tags }));
  c[label] = out.caseId!;
  arns[label] = out.caseArn!;
  return out.caseId!;
}

async function search(input: Omit<SearchCasesCommandInput, 'domainId'>) {
  return ts.client.send(new SearchCasesCommand({ domainId, ...input }));
}

/** The labels of every matching case, in result order, walking all pages. */
async function labels(input: Omit<SearchCasesCommandInput, 'domainId'>): Promise<string[]> {
  const byId = new Map(Object.entries(c).map(([k, v]) => [v, k]));
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await search({ ...input, nextToken, maxResults: input.maxResults ?? 3 });
    out.push(...page.cases!.map((x) => byId.get(x!.caseId!) ?? x!.caseId!));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

const eq = (id: string, value: FieldValueUnion): CaseFilter => ({ field: { equalTo: { id: f[id] ?? id, value } } });
const op = (operator: 'contains' | 'greaterThan' | 'greaterThanOrEqualTo' | 'lessThan' | 'lessThanOrEqualTo', id: string, value: FieldValueUnion): CaseFilter => ({
  field: { [operator]: { id: f[id] ?? id, value } } as unknown as FieldFilter,
});
/** Labels matching the filter, as a sorted set (order is tested separately). */
const matching = async (filter: CaseFilter, searchTerm?: string) => (await labels({ filter, searchTerm })).sort();

before(async () => {
  ts = await startTestServer({ now: () => new Date(clock) });
  const client = ts.client;
  domainId = (await client.send(new CreateDomainCommand({ name: uniqueName('search') }))).domainId!;
  for (const [name, type] of [
    ['text', 'Text'],
    ['num', 'Number'],
    ['flag', 'Boolean'],
    ['when', 'DateTime'],
    ['choice', 'SingleSelect'],
    ['link', 'Url'],
    ['owner', 'User'],
    ['gone', 'Text'],
  ] as const) {
    f[name] = (await client.send(new CreateFieldCommand({ domainId, name, type }))).fieldId!;
  }
  await client.send(
    new BatchPutFieldOptionsCommand({
      domainId,
      fieldId: f.choice,
      options: ['Red', 'Green', 'blue'].map((o) => ({ name: o, value: o, active: true })),
    }),
  );
  templateId = (await client.send(new CreateTemplateCommand({ domainId, name: 'basic', status: 'Active' }))).templateId!;

  await createCase('a', {
    title: str('Printer jammed in Berlin'),
    text: str('Alpha Report'),
    num: num(9),
    flag: { booleanValue: true },
    when: str('2025-03-01T10:00:00.000Z'),
    choice: str('Red'),
    link: str('https://example.com/Orders/1'),
    owner: { userArnValue: USER(1) },
    gone: str('zebra crossing'),
  }, { team: 'alpha', env: 'prod' });
  await createCase('b', {
    title: str('Router broken'),
    text: str('beta report'),
    num: num(10),
    flag: { booleanValue: false },
    when: str('2025-03-01T12:30:00+02:00'),
    choice: str('Green'),
    link: str('https://example.org/x'),
    owner: { userArnValue: USER(2) },
  }, { team: 'beta' });
  await createCase('c', {
    title: str('printer toner empty'),
    text: str('Gamma'),
    num: num(100),
    when: str('2025-02-01T00:00:00.000Z'),
    choice: str('blue'),
  }, { team: 'alpha', env: '' });
  await createCase('d', { title: str('Berlin office move'), num: num(10) });
  await createCase('e', { title: str('Nothing special'), text: str('zQ') });
  // `gone` is deleted after values were written: its values stay searchable.
  await ts.client.send(new DeleteFieldCommand({ domainId, fieldId: f.gone }));
});

after(async () => ts.close());

describe('equalTo', () => {
  test('matches exactly per field type', async () => {
    assert.deepEqual(await matching(eq('text', str('Alpha Report'))), ['a']);
    assert.deepEqual(await matching(eq('text', str('alpha report'))), [], 'strings are case-sensitive');
    assert.deepEqual(await matching(eq('num', num(10))), ['b', 'd']);
    assert.deepEqual(await matching(eq('flag', { booleanValue: true })), ['a']);
    assert.deepEqual(await matching(eq('flag', { booleanValue: false })), ['b']);
    assert.deepEqual(await matching(eq('choice', str('blue'))), ['c']);
    assert.deepEqual(await matching(eq('link', str('https://example.org/x'))), ['b']);
    assert.deepEqual(await matching(eq('owner', { userArnValue: USER(2) })), ['b']);
    assert.deepEqual(await matching(eq('status', str('open'))), ['a', 'b', 'c', 'd', 'e']);
  });

  test('DateTime compares instants, whatever the offset', async () => {
    assert.deepEqual(await matching(eq('when', str('2025-03-01T10:30:00Z'))), ['b']);
    assert.deepEqual(await matching(eq('when', str('2025-03-01T12:00:00+02:00'))), ['a']);
  });

  test('emptyValue matches cases without a value', async () => {
    assert.deepEqual(await matching(eq('flag', { emptyValue: {} })), ['c', 'd', 'e']);
    assert.deepEqual(await matching(eq('owner', { emptyValue: {} })), ['c', 'd', 'e']);
    assert.deepEqual(await matching({ not: eq('text', { emptyValue: {} }) }), ['a', 'b', 'c', 'e']);
  });

  test('values of a deleted field are still matched', async () => {
    assert.deepEqual(await matching(eq('gone', str('zebra crossing'))), ['a']);
  });
});

describe('contains', () => {
  test('is a case-insensitive substring match on text fields', async () => {
    assert.deepEqual(await matching(op('contains', 'title', str('PRINTER'))), ['a', 'c']);
    assert.deepEqual(await matching(op('contains', 'title', str('ter jam'))), ['a']);
    assert.deepEqual(await matching(op('contains', 'text', str('REPORT'))), ['a', 'b']);
    assert.deepEqual(await matching(op('contains', 'text', str('b'))), ['b'], 'texts shorter than three characters');
    assert.deepEqual(await matching(op('contains', 'text', str('Zq'))), ['e']);
    assert.deepEqual(await matching(op('contains', 'link', str('orders'))), ['a']);
    assert.deepEqual(await matching(op('contains', 'choice', str('re'))), ['a', 'b']);
    assert.deepEqual(await matching(op('contains', 'when', str('2025-03'))), ['a', 'b']);
  });

  test('only looks at the named field', async () => {
    // "berlin" is in the titles of a and d, never in `text`.
    assert.deepEqual(await matching(op('contains', 'text', str('berlin'))), []);
  });

  test('is refused on Number, Boolean and User fields', async () => {
    await assertValidation(search({ filter: op('contains', 'num', num(1)) }), /contains applies to Text, Url, SingleSelect and DateTime/);
    await assertValidation(search({ filter: op('contains', 'flag', { booleanValue: true }) }), /contains applies/);
    await assertValidation(search({ filter: op('contains', 'owner', { userArnValue: USER(1) }) }), /contains applies/);
  });
});

describe('ranges', () => {
  test('Number compares numerically', async () => {
    assert.deepEqual(await matching(op('greaterThan', 'num', num(9))), ['b', 'c', 'd']);
    assert.deepEqual(await matching(op('greaterThanOrEqualTo', 'num', num(10))), ['b', 'c', 'd']);
    assert.deepEqual(await matching(op('lessThan', 'num', num(10))), ['a']);
    assert.deepEqual(await matching(op('lessThanOrEqualTo', 'num', num(10))), ['a', 'b', 'd']);
    assert.deepEqual(await matching({ andAll: [op('greaterThan', 'num', num(9)), op('lessThan', 'num', num(100))] }), ['b', 'd']);
  });

  test('DateTime compares instants, system date fields included', async () => {
    assert.deepEqual(await matching(op('greaterThan', 'when', str('2025-03-01T11:00:00+01:00'))), ['b']);
    assert.deepEqual(await matching(op('lessThan', 'when', str('2025-03-01T00:00:00Z'))), ['c']);
    const created = (await search({ filter: eq('case_id', str(c.c)), fields: [{ id: 'created_datetime' }] })).cases![0]!.fields![0].value!.stringValue!;
    assert.deepEqual(await matching(op('greaterThanOrEqualTo', 'created_datetime', str(created))), ['c', 'd', 'e']);
    assert.deepEqual(await matching(op('lessThan', 'created_datetime', str(created))), ['a', 'b']);
    // A date that no calendar has is refused, as it is as a value, not rolled over (Feb 30 is no Mar 2).
    await assertValidation(search({ filter: op('lessThan', 'when', str('2025-02-30T00:00:00Z')) }), /not an ISO-8601 date-time/);
  });

  test('other strings compare lexicographically', async () => {
    assert.deepEqual(await matching(op('greaterThanOrEqualTo', 'text', str('beta'))), ['b', 'e'], "upper-case 'Alpha' and 'Gamma' sort before 'beta'");
    assert.deepEqual(await matching(op('lessThan', 'choice', str('S'))), ['a', 'b']);
    assert.deepEqual(await matching(op('greaterThan', 'owner', { userArnValue: USER(1) })), ['b']);
  });

  test('Boolean fields have no order', async () => {
    await assertValidation(search({ filter: op('greaterThan', 'flag', { booleanValue: false }) }), /Boolean field .* has no order/);
  });
});

describe('nesting', () => {
  test('not, andAll and orAll nest', async () => {
    const filter: CaseFilter = {
      orAll: [
        { andAll: [op('contains', 'title', str('printer')), { not: eq('choice', str('blue')) }] },
        { andAll: [eq('num', num(10)), { not: { tag: { equalTo: { key: 'team', value: 'beta' } } } }] },
      ],
    };
    assert.deepEqual(await matching(filter), ['a', 'd']);
    assert.deepEqual(await matching({ not: filter }), ['b', 'c', 'e']);
    assert.deepEqual(await matching({ not: { not: eq('num', num(100)) } }), ['c']);
  });

  test('an empty andAll matches every case, an empty orAll none', async () => {
    assert.deepEqual(await matching({ andAll: [] }), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await matching({ orAll: [] }), []);
  });

  test('nesting deeper than the limit is refused', async () => {
    let deep: CaseFilter = eq('num', num(1));
    for (let i = 0; i < 11; i++) deep = { not: deep };
    await assertValidation(search({ filter: deep }), /nest at most 10 levels/);
  });
});

describe('tags', () => {
  test('tag.equalTo matches key and value', async () => {
    assert.deepEqual(await matching({ tag: { equalTo: { key: 'team', value: 'alpha' } } }), ['a', 'c']);
    assert.deepEqual(await matching({ tag: { equalTo: { key: 'env', value: '' } } }), ['c']);
    assert.deepEqual(await matching({ tag: { equalTo: { key: 'team', value: 'ALPHA' } } }), []);
  });

  test('a tag filter without value matches any value of the key', async () => {
    assert.deepEqual(await matching({ tag: { equalTo: { key: 'env' } } }), ['a', 'c']);
  });

  test('results carry the tags of each case', async () => {
    const out = await search({ filter: eq('case_id', str(c.a)) });
    assert.deepEqual(out.cases![0]!.tags, { team: 'alpha', env: 'prod' });
  });
});

describe('searchTerm', () => {
  test('every word must occur, case-insensitively, in some value', async () => {
    assert.deepEqual((await labels({ searchTerm: 'printer BERLIN' })).sort(), ['a']);
    assert.deepEqual((await labels({ searchTerm: 'berlin' })).sort(), ['a', 'd']);
    assert.deepEqual((await labels({ searchTerm: 'rint' })).sort(), ['a', 'c'], 'words match inside values');
    assert.deepEqual((await labels({ searchTerm: 'printer report' })).sort(), ['a'], 'words may match different fields');
    assert.deepEqual((await labels({ searchTerm: 'zebra' })).sort(), ['a'], 'deleted fields included');
    assert.deepEqual((await labels({ searchTerm: 'zq' })).sort(), ['e'], 'short words');
    assert.deepEqual((await labels({ searchTerm: 'printer router' })).sort(), []);
  });

  test('system field values are searched', async () => {
    assert.deepEqual(await labels({ searchTerm: c.b }), ['b']);
  });

  test('quotes, operators and NUL are searched literally', async () => {
    assert.deepEqual(await labels({ searchTerm: '"printer" AND' }), []);
    assert.deepEqual(await labels({ searchTerm: 'print\u0000er' }), []);
    assert.deepEqual(await matching(op('contains', 'title', str('jam\u0000'))), []);
    assert.deepEqual(await matching(op('contains', 'title', str('"'))), []);
  });

  test('a word never spans two values', async () => {
    // a's title ends with "Berlin" and its text starts with "Alpha".
    assert.deepEqual(await labels({ searchTerm: 'berlinalpha' }), []);
  });

  test('the empty term matches everything and combines with a filter', async () => {
    assert.deepEqual((await labels({ searchTerm: '' })).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(await matching(eq('num', num(10)), 'berlin'), ['d']);
  });
});

describe('sorts', () => {
  const sorted = (sorts: Sort[], filter?: CaseFilter) => labels({ sorts, filter });

  test('no sort: most recently updated first', async () => {
    assert.deepEqual(await sorted([]), ['e', 'd', 'c', 'b', 'a']);
  });

  test('Number asc and desc, ties by creation order, cases without a value last', async () => {
    assert.deepEqual(await sorted([{ fieldId: f.num, sortOrder: 'Asc' }]), ['a', 'b', 'd', 'c', 'e']);
    assert.deepEqual(await sorted([{ fieldId: f.num, sortOrder: 'Desc' }]), ['c', 'd', 'b', 'a', 'e']);
  });

  test('Text sorts lexicographically, DateTime by instant', async () => {
    assert.deepEqual(await sorted([{ fieldId: f.text, sortOrder: 'Asc' }]), ['a', 'c', 'b', 'e', 'd']);
    assert.deepEqual(await sorted([{ fieldId: f.when, sortOrder: 'Asc' }]), ['c', 'a', 'b', 'd', 'e']);
    assert.deepEqual(await sorted([{ fieldId: 'created_datetime', sortOrder: 'Desc' }]), ['e', 'd', 'c', 'b', 'a']);
  });

  test('two sort fields', async () => {
    // By status (all open), then by flag descending: true, false, then cases without flag by creation order.
    assert.deepEqual(await sorted([{ fieldId: 'status', sortOrder: 'Asc' }, { fieldId: f.flag, sortOrder: 'Desc' }]), ['a', 'b', 'e', 'd', 'c']);
    assert.deepEqual(await sorted([{ fieldId: f.owner, sortOrder: 'Asc' }, { fieldId: f.num, sortOrder: 'Asc' }]), ['a', 'b', 'd', 'c', 'e']);
  });

  test('an unknown sort field is refused', async () => {
    await assertValidation(search({ sorts: [{ fieldId: 'nope', sortOrder: 'Asc' }] }), /sorts\[0\]\.fieldId: field 'nope' does not exist/);
  });
});

describe('results and pages', () => {
  test('fields, templateId and totalCount', async () => {
    const out = await search({ filter: eq('num', num(10)), fields: [{ id: f.num }, { id: 'title' }, { id: f.flag }, { id: 'nope' }], maxResults: 1 });
    assert.equal(out.totalCount, 2);
    assert.equal(out.cases!.length, 1);
    const hit = out.cases![0]!;
    assert.equal(hit.caseId, c.d);
    assert.equal(hit.templateId, templateId);
    assert.deepEqual(hit.fields, [
      { id: f.num, value: { doubleValue: 10 } },
      { id: 'title', value: { stringValue: 'Berlin office move' } },
    ]);
    assert.ok(out.nextToken);
    const none = await search({ filter: eq('num', num(12345)) });
    assert.equal(none.totalCount, 0);
    assert.deepEqual(none.cases, []);
    assert.equal(none.nextToken, undefined);
  });

  test('a token only continues its own query', async () => {
    const first = await search({ maxResults: 1, filter: eq('num', num(10)) });
    await assertValidation(search({ maxResults: 1, filter: eq('num', num(9)), nextToken: first.nextToken }), /different request/);
    await assertValidation(search({ nextToken: `${first.nextToken}x` }), /not valid/);
  });

  test('the default page holds 25 cases and maxResults is bounded', async () => {
    await assertValidation(search({ maxResults: 0 }));
    await assertValidation(search({ maxResults: 101 }));
  });

  test('an UpdateCase moves the case to the front of the default order', async () => {
    clock += 1000;
    await ts.client.send(new UpdateCaseCommand({ domainId, caseId: c.b, fields: [{ id: 'summary', value: str('moved up') }] }));
    assert.deepEqual(await labels({}), ['b', 'e', 'd', 'c', 'a']);
    assert.deepEqual(await labels({ searchTerm: 'moved' }), ['b']);
  });
});

describe('index upkeep', () => {
  test('TagResource and UntagResource on a case change what tag filters match', async () => {
    const team = { tag: { equalTo: { key: 'team', value: 'gamma' } } };
    await ts.client.send(new TagResourceCommand({ arn: arns.d, tags: { team: 'gamma' } }));
    assert.deepEqual(await matching(team), ['d']);
    await ts.client.send(new UntagResourceCommand({ arn: arns.d, tagKeys: ['team'] }));
    assert.deepEqual(await matching(team), []);
  });

  test('case is folded beyond ASCII', async () => {
    await createCase('accents', { title: str('ÉCOLE Straße ΣΟΦΙΑ') });
    assert.deepEqual(await matching(op('contains', 'title', str('école'))), ['accents']);
    assert.deepEqual(await matching(op('contains', 'title', str('σοφια'))), ['accents']);
    assert.deepEqual(await matching(op('contains', 'title', str('STRASSE'))), [], 'no expansion of ß');
    assert.deepEqual(await labels({ searchTerm: 'straße École' }), ['accents']);
    await ts.client.send(new DeleteCaseCommand({ domainId, caseId: c.accents }));
    delete c.accents;
  });

  test('a deleted case is no longer found', async () => {
    await createCase('doomed', { title: str('doomed printer') });
    assert.deepEqual(await labels({ searchTerm: 'doomed' }), ['doomed']);
    const before = (await search({})).totalCount!;
    await ts.client.send(new DeleteCaseCommand({ domainId, caseId: c.doomed }));
    delete c.doomed;
    assert.deepEqual(await labels({ searchTerm: 'doomed' }), []);
    assert.equal((await search({})).totalCount, before - 1);
  });
});

describe('invalid filters', () => {
  test('unknown fields and mismatched value members are refused', async () => {
    await assertValidation(search({ filter: eq('nope', str('x')) }), /filter\.field\.equalTo: field 'nope' does not exist/);
    await assertValidation(search({ filter: { andAll: [eq('num', num(1)), eq('num', str('1'))] } }), /filter\.andAll\[1\]\.field\.equalTo: .*Number.*doubleValue, not stringValue/);
    await assertValidation(search({ filter: eq('flag', str('true')) }), /booleanValue/);
    await assertValidation(search({ filter: eq('owner', str(USER(1))) }), /userArnValue/);
    await assertValidation(search({ filter: eq('text', { userArnValue: USER(1) }) }), /stringValue/);
    await assertValidation(search({ filter: op('lessThan', 'num', { emptyValue: {} }) }), /emptyValue can only be used with equalTo/);
    await assertValidation(search({ filter: eq('when', str('yesterday')) }), /not an ISO-8601 date-time/);
  });

  test('filters with no member or two members are refused', async () => {
    await assertValidation(search({ filter: {} as CaseFilter }), /Union must have exactly one member set/);
    await assertValidation(search({ filter: { tag: { equalTo: { value: 'x' } } } }), /key must be set/);
  });
});

describe('pagination walks', () => {
  test('each match exactly once, also while cases are being created', async () => {
    const sortsList: Sort[][] = [[], [{ fieldId: f.num, sortOrder: 'Desc' }], [{ fieldId: 'status', sortOrder: 'Asc' }, { fieldId: f.flag, sortOrder: 'Asc' }]];
    for (const sorts of sortsList) {
      const before = await labels({ sorts, maxResults: 100 });
      const seen: string[] = [];
      let nextToken: string | undefined;
      let n = 0;
      do {
        const page = await search({ sorts, maxResults: 2, nextToken });
        seen.push(...page.cases!.map((x) => x!.caseId!));
        nextToken = page.nextToken;
        // A new case between pages, with values that sort anywhere.
        await createCase(`walk-${sorts.length}-${n++}`, { title: str('walk'), num: num(n % 3 === 0 ? 50 : 5), flag: { booleanValue: n % 2 === 0 } });
      } while (nextToken);
      assert.equal(new Set(seen).size, seen.length, 'no case twice');
      const idsBefore = before.map((l) => c[l] ?? l);
      for (const id of idsBefore) assert.ok(seen.includes(id), `case ${id} present before the walk was returned`);
      const all = await search({ sorts });
      assert.equal(all.totalCount, Object.keys(c).length, 'totalCount counts every case');
    }
  });
});

describe('the case id and the update time', () => {
  // The SQLite store reads both from its row of the case rather than from value rows (docs/search.md): every
  // operator, sort and the searchTerm must still see them as the case's fields.
  test('are matched, compared, sorted and searched like other fields', async () => {
    const mine = op('contains', 'title', str('clockwork'));
    await createCase('x', { title: str('clockwork x') });
    await createCase('y', { title: str('clockwork y') });
    await createCase('z', { title: str('clockwork z') });
    clock += 5000;
    await ts.client.send(new UpdateCaseCommand({ domainId, caseId: c.x, fields: [{ id: 'summary', value: str('wound up') }] }));
    const updated = async (label: string) =>
      (await search({ filter: eq('case_id', str(c[label])), fields: [{ id: 'last_updated_datetime' }] })).cases![0]!.fields![0].value!.stringValue!;
    const [tx, ty] = [await updated('x'), await updated('y')];
    assert.equal(tx, new Date(clock).toISOString(), 'the update moved the time of x');

    assert.deepEqual(await matching(eq('case_id', str(c.y))), ['y']);
    assert.deepEqual(await matching(eq('case_id', str(c.y.toUpperCase()))), [], 'case-sensitive');
    assert.deepEqual(await matching(eq('last_updated_datetime', str(tx))), ['x']);
    const offset = new Date(Date.parse(tx) + 3_600_000).toISOString().replace('Z', '+01:00');
    assert.deepEqual(await matching(eq('last_updated_datetime', str(offset))), ['x'], 'an instant, whatever the offset');
    assert.deepEqual(await matching({ andAll: [mine, op('greaterThan', 'last_updated_datetime', str(ty))] }), ['x', 'z']);
    assert.deepEqual(await matching({ andAll: [mine, op('lessThanOrEqualTo', 'last_updated_datetime', str(ty))] }), ['y']);
    assert.deepEqual(await matching({ andAll: [mine, { not: op('lessThan', 'case_id', str(c.y)) }] }), ['y', 'z'].filter((l) => c[l] >= c.y).sort());
    assert.deepEqual(await matching(op('contains', 'case_id', str(c.z.slice(-12).toUpperCase()))), ['z']);
    assert.deepEqual(await matching(op('contains', 'last_updated_datetime', str(tx.slice(0, 19)))), ['x']);
    assert.deepEqual(await matching(eq('case_id', { emptyValue: {} })), []);
    assert.deepEqual(await matching(eq('last_updated_datetime', { emptyValue: {} })), []);

    const byTime = [{ fieldId: 'last_updated_datetime', sortOrder: 'Desc' as const }];
    assert.deepEqual(await labels({ filter: mine, sorts: byTime, maxResults: 1 }), ['x', 'z', 'y']);
    assert.deepEqual(await labels({ filter: mine, sorts: [{ ...byTime[0], sortOrder: 'Asc' }], maxResults: 1 }), ['y', 'z', 'x']);
    const byId = ['x', 'y', 'z'].sort((a, b) => (c[a] < c[b] ? -1 : 1));
    assert.deepEqual(await labels({ filter: mine, sorts: [{ fieldId: 'case_id', sortOrder: 'Asc' }], maxResults: 2 }), byId);
    assert.deepEqual(await labels({ filter: mine, sorts: [{ fieldId: 'status', sortOrder: 'Asc' }, ...byTime], maxResults: 2 }), ['x', 'z', 'y']);

    assert.deepEqual(await labels({ searchTerm: tx.slice(0, 19) }), ['x'], 'the update time is in the searched text');
    assert.deepEqual(await labels({ searchTerm: `clockwork ${c.y.slice(0, 13)}` }), ['y'], 'so is the case id');
  });
});
