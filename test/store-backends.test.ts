/**
 * The same random sequence of API calls, through the SDK, to a server on SQLite and a server on PostgreSQL: every
 * answer must be the same, output or error, once the ids each server made, times and reference numbers are
 * masked. Fields of every type and their options, templates, layouts, cases with typed values, comments, tags,
 * audit events and the list operations walked page by page, with calls that must fail (unknown ids, name
 * conflicts, wrong value types) mixed in. The end-to-end suite runs its assertions on both backends; this catches
 * what no assertion names, such as an order or a message that differs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchGetFieldCommand,
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  DeleteCaseCommand,
  DeleteFieldCommand,
  DeleteLayoutCommand,
  DeleteRelatedItemCommand,
  DeleteTemplateCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  ListFieldOptionsCommand,
  ListFieldsCommand,
  ListLayoutsCommand,
  ListTagsForResourceCommand,
  ListTemplatesCommand,
  SearchCasesCommand,
  SearchRelatedItemsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateCaseCommand,
  UpdateFieldCommand,
  UpdateLayoutCommand,
  UpdateTemplateCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startTestServer, type TestServer } from './helpers.js';
import { prng } from './support/fuzz.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { seed } from './support/seeds.js';

type Kind = 'field' | 'template' | 'layout' | 'case' | 'item';
/** What one server made: symbol (`field 3`) → its id, and the ARNs of what it can tag. */
interface Made {
  ids: Map<string, string>;
  arns: Map<string, string>;
}
/**
 * A call, the same for both servers: its input names what the servers made by symbol (`ref('case 3')`, `arnOf(…)`),
 * resolved per server when sent. `made` says what a successful call created, `pages` that it is walked by nextToken.
 */
interface Call {
  name: string;
  input: Record<string, unknown>;
  made?: { kind: Kind; symbol: string; id: (out: any) => string; arn?: (out: any) => string; type?: string };
  /** What a successful call deletes: calls aim at it no more (but for the few aimed at missing things). */
  removes?: { kind: Kind; symbol: string };
  pages?: boolean;
}
const ref = (symbol: string) => ({ ref: symbol });
const arnOf = (symbol: string) => ({ arnOf: symbol });

/** The server's id of a symbol; a system field's id (`title`) is its own; something missing gets an id none made. */
function idOf(m: Made, symbol: string): string {
  return m.ids.get(symbol) ?? (!symbol.endsWith(' missing') ? symbol : symbol === 'field missing' ? 'nosuchfield' : '01a00000-0000-7000-8000-000000000000');
}

function resolve(v: unknown, m: Made): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, m));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.ref === 'string') return idOf(m, o.ref);
    if (typeof o.arnOf === 'string') return m.arns.get(o.arnOf) ?? `arn:aws:cases:us-east-1:111122223333:domain/${idOf(m, 'domain')}/case/01a00000-0000-7000-8000-000000000000`;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, m)]));
  }
  return v;
}

const TYPES = ['Text', 'Number', 'Boolean', 'DateTime', 'SingleSelect', 'Url', 'User'] as const;
const COMMANDS: Record<string, new (input: any) => any> = {
  BatchGetField: BatchGetFieldCommand,
  BatchPutFieldOptions: BatchPutFieldOptionsCommand,
  CreateCase: CreateCaseCommand,
  CreateField: CreateFieldCommand,
  CreateLayout: CreateLayoutCommand,
  CreateRelatedItem: CreateRelatedItemCommand,
  CreateTemplate: CreateTemplateCommand,
  DeleteCase: DeleteCaseCommand,
  DeleteField: DeleteFieldCommand,
  DeleteLayout: DeleteLayoutCommand,
  DeleteRelatedItem: DeleteRelatedItemCommand,
  DeleteTemplate: DeleteTemplateCommand,
  GetCaseAuditEvents: GetCaseAuditEventsCommand,
  GetCase: GetCaseCommand,
  GetLayout: GetLayoutCommand,
  GetTemplate: GetTemplateCommand,
  ListFieldOptions: ListFieldOptionsCommand,
  ListFields: ListFieldsCommand,
  ListLayouts: ListLayoutsCommand,
  ListTagsForResource: ListTagsForResourceCommand,
  ListTemplates: ListTemplatesCommand,
  SearchCases: SearchCasesCommand,
  SearchRelatedItems: SearchRelatedItemsCommand,
  TagResource: TagResourceCommand,
  UntagResource: UntagResourceCommand,
  UpdateCase: UpdateCaseCommand,
  UpdateField: UpdateFieldCommand,
  UpdateLayout: UpdateLayoutCommand,
  UpdateTemplate: UpdateTemplateCommand,
};

/** A time the server stamped (now, give or take the test's length), not one a call sent. */
const stamped = (v: string) => /^\d{4}-\d{2}-\d{2}T/.test(v) && Math.abs(Date.parse(v) - Date.now()) < 3_600_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** An answer with what differs between servers by design masked: their own ids, times, reference numbers, tokens. */
function normalise(value: unknown, made: Made): unknown {
  const names = [...made.ids].map(([symbol, id]) => [id, `<${symbol}>`] as const);
  const walk = (v: unknown, key?: string): unknown => {
    if (v instanceof Date) return '<time>';
    if (typeof v === 'string') {
      if (key === 'nextToken') return '<token>';
      if (stamped(v)) return '<time>';
      let s = v;
      for (const [id, name] of names) s = s.split(id).join(name);
      return s.replace(UUID, '<other id>');
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // Reference numbers are random per server.
      if (o.id === 'reference_number' || o.eventFieldId === 'reference_number') return { ...o, value: '<ref>', newValue: '<ref>' };
      return Object.fromEntries(Object.entries(o).filter(([k]) => k !== '$metadata').map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value);
}

async function run(client: ConnectCasesClient, call: Call, made: Made): Promise<{ out?: any; answer: unknown }> {
  const input = resolve(call.input, made) as Record<string, unknown>;
  try {
    if (!call.pages) {
      const out = await client.send(new COMMANDS[call.name](input));
      return { out, answer: out };
    }
    const pages: unknown[] = [];
    let token: string | undefined;
    do {
      const out: any = await client.send(new COMMANDS[call.name]({ ...input, nextToken: token }));
      pages.push(out);
      token = out.nextToken;
    } while (token && pages.length < 200);
    return { answer: pages };
  } catch (e: any) {
    return { answer: { error: e.name, status: e.$metadata?.httpStatusCode, message: e.message } };
  }
}

let cluster: TestPostgres;
const servers: TestServer[] = [];
before(async () => {
  cluster = await startTestPostgres();
  servers.push(await startTestServer({ store: new SqliteStore({ dataDir: ':memory:' }) }));
  servers.push(await startTestServer({ databaseUrl: await cluster.createDatabase() }));
});
after(async () => {
  for (const s of servers) await s.close();
  await cluster.stop();
});

test('a server on SQLite and a server on PostgreSQL answer the same random calls alike', async () => {
  const { int, pick, chance } = prng(seed(31));
  const made: Made[] = servers.map(() => ({ ids: new Map(), arns: new Map() }));
  for (const [i, s] of servers.entries()) {
    const domain = await s.client.send(new CreateDomainCommand({ name: 'backends' }));
    made[i].ids.set('domain', domain.domainId!);
    made[i].arns.set('domain', domain.domainArn!);
  }
  // Server-independent knowledge of what exists, to aim calls (a call at something gone must fail alike anyway).
  // Every random choice is made here, once, never while a server's input is resolved.
  const known: Record<Kind, string[]> = { field: [], template: [], layout: [], case: [], item: [] };
  const fieldTypes = new Map<string, string>();
  const counters: Record<Kind, number> = { field: 0, template: 0, layout: 0, case: 0, item: 0 };
  const some = (kind: Kind) => (known[kind].length && chance(0.9) ? pick(known[kind]) : `${kind} missing`);
  const domainId = ref('domain');
  const valueFor = (symbol: string) => {
    switch (chance(0.05) ? pick(TYPES) : fieldTypes.get(symbol)) {
      case 'Number': return { doubleValue: pick([0, -1.5, 42, 1e9]) };
      case 'Boolean': return { booleanValue: chance(0.5) };
      case 'DateTime': return { stringValue: pick(['2025-03-01T10:30:00.000Z', '2025-03-01T12:30:00+02:00', '2025-03-01T12:30:00+02:00', 'not a time']) };
      case 'SingleSelect': return { stringValue: pick(['red', 'green', 'blue', 'red', 'unknown']) };
      case 'Url': return { stringValue: pick(['https://example.com/a', 'https://example.com/b?q=1', 'not a url']) };
      case 'User': return { userArnValue: 'arn:aws:connect:us-east-1:111122223333:instance/i-1/agent/a-1' };
      default: return pick([{ stringValue: pick(['Printer jam', 'ÉCOLE Straße', '😀 smile', '']) }, { emptyValue: {} }]);
    }
  };
  const caseFields = () => [...new Set(Array.from({ length: int(0, 2) }, () => some('field')))].map((f) => ({ id: ref(f), value: valueFor(f) }));
  const create = (kind: Kind, idKey: string, arnKey?: string, type?: string) => ({
    kind,
    symbol: `${kind} ${++counters[kind]}`,
    id: (o: any) => o[idKey],
    arn: arnKey ? (o: any) => o[arnKey] : undefined,
    type,
  });

  const resourceCalls: (() => Call)[] = [
    () => {
      const type = pick(TYPES);
      return {
        name: 'CreateField',
        input: { domainId, name: pick(['Severity', 'Order', 'Notes', `f${counters.field}`]), type, description: chance(0.5) ? 'd' : undefined },
        made: create('field', 'fieldId', 'fieldArn', type),
      };
    },
    () => ({ name: 'UpdateField', input: { domainId, fieldId: ref(some('field')), name: chance(0.5) ? pick(['Severity', 'Renamed', 'Order']) : undefined, description: 'changed' } }),
    () => {
      const field = some('field');
      return { name: 'DeleteField', input: { domainId, fieldId: ref(field) }, removes: { kind: 'field', symbol: field } };
    },
    () => ({
      name: 'BatchPutFieldOptions',
      input: {
        domainId,
        fieldId: ref(some('field')),
        options: Array.from({ length: int(1, 3) }, () => ({ name: pick(['Red', 'Green', 'Blue']), value: pick(['red', 'green', 'blue', 'x y']), active: chance(0.8) })),
      },
    }),
    () => ({ name: 'ListFieldOptions', pages: true, input: { domainId, fieldId: ref(some('field')), maxResults: int(1, 3) } }),
    () => ({ name: 'ListFields', pages: true, input: { domainId, maxResults: int(5, 20) } }),
    () => ({ name: 'BatchGetField', input: { domainId, fields: Array.from({ length: int(1, 3) }, () => ({ id: ref(some('field')) })) } }),
    () => {
      const layout = chance(0.3) ? some('layout') : undefined;
      return {
        name: 'CreateTemplate',
        input: {
          domainId,
          name: pick(['Support', 'Billing', `t${counters.template}`]),
          status: pick(['Active', 'Inactive']),
          requiredFields: chance(0.3) ? [{ fieldId: ref(some('field')) }] : [],
          layoutConfiguration: layout ? { defaultLayout: ref(layout) } : undefined,
        },
        made: create('template', 'templateId', 'templateArn'),
      };
    },
    () => {
      const template = some('template');
      // The base template stays active, for CreateCase.
      const status = template === 'template base' ? undefined : pick(['Active', 'Inactive', undefined]);
      return { name: 'UpdateTemplate', input: { domainId, templateId: ref(template), status, name: chance(0.3) ? 'Support' : undefined } };
    },
    () => {
      const template = some('template');
      const input = { domainId, templateId: ref(template) };
      return chance(0.2) && template !== 'template base' ? { name: 'DeleteTemplate', input, removes: { kind: 'template', symbol: template } } : { name: 'GetTemplate', input };
    },
    () => ({ name: 'ListTemplates', pages: true, input: { domainId, maxResults: int(1, 4), status: chance(0.5) ? [pick(['Active', 'Inactive'])] : undefined } }),
    () => ({
      name: 'CreateLayout',
      input: {
        domainId,
        name: pick(['Main', `l${counters.layout}`]),
        content: { basic: { topPanel: { sections: [{ fieldGroup: { name: 'g', fields: Array.from({ length: int(0, 2) }, () => ({ id: ref(some('field')) })) } }] } } },
      },
      made: create('layout', 'layoutId', 'layoutArn'),
    }),
    () => {
      const layout = some('layout');
      const input = { domainId, layoutId: ref(layout) };
      return chance(0.3) ? { name: 'DeleteLayout', input, removes: { kind: 'layout', symbol: layout } } : { name: 'GetLayout', input };
    },
    () => ({ name: 'UpdateLayout', input: { domainId, layoutId: ref(some('layout')), name: pick(['Main', 'Other']) } }),
    () => ({ name: 'ListLayouts', pages: true, input: { domainId, maxResults: int(1, 4) } }),
  ];
  // Cases and their values, comments, audit and tags: where the stores' code differs most, so half of the steps.
  const caseCalls: (() => Call)[] = [
    () => ({
      name: 'CreateCase',
      input: {
        domainId,
        templateId: ref(chance(0.7) ? 'template base' : some('template')),
        fields: [{ id: 'title', value: { stringValue: pick(['Printer jam', 'Login slow', 'ÉCOLE Straße']) } }, ...caseFields()],
      },
      made: create('case', 'caseId', 'caseArn'),
    }),
    () => ({ name: 'UpdateCase', input: { domainId, caseId: ref(some('case')), fields: caseFields() } }),
    () => ({
      name: 'GetCase',
      input: { domainId, caseId: ref(some('case')), fields: ['title', 'status', 'reference_number', ...known.field.slice(-3)].map((f) => ({ id: ref(f) })) },
    }),
    () => {
      const c = some('case');
      const input = { domainId, caseId: ref(c) };
      return chance(0.2) ? { name: 'DeleteCase', input, removes: { kind: 'case', symbol: c } } : { name: 'GetCaseAuditEvents', input };
    },
    () => ({
      name: 'SearchCases',
      pages: true,
      input: {
        domainId,
        maxResults: int(1, 10),
        searchTerm: chance(0.3) ? pick(['printer', 'straße', 'nothing']) : undefined,
        sorts: [{ fieldId: 'title', sortOrder: pick(['Asc', 'Desc']) }],
        fields: [{ id: 'title' }],
      },
    }),
    () => ({
      name: 'CreateRelatedItem',
      input: { domainId, caseId: ref(some('case')), type: 'Comment', content: { comment: { body: pick(['first', 'second', 'third']), contentType: 'Text/Plain' } } },
      made: create('item', 'relatedItemId'),
    }),
    () => ({ name: 'SearchRelatedItems', pages: true, input: { domainId, caseId: ref(some('case')), maxResults: int(1, 5) } }),
    () => {
      const item = some('item');
      return { name: 'DeleteRelatedItem', input: { domainId, caseId: ref(some('case')), relatedItemId: ref(item) }, removes: { kind: 'item', symbol: item } };
    },
    () => {
      const arn = arnOf(pick(['domain', some('case'), some('template'), some('field'), some('layout')]));
      const key = pick(['team', 'env', 'owner']);
      const name = pick(['TagResource', 'UntagResource', 'ListTagsForResource']);
      const input = name === 'TagResource' ? { arn, tags: { [key]: pick(['a', 'b', '']) } } : name === 'UntagResource' ? { arn, tagKeys: [key] } : { arn };
      return { name, input };
    },
  ];

  // An active template without required fields, so that most CreateCase calls get as far as their values.
  for (const [i, s] of servers.entries()) {
    const template = await s.client.send(new CreateTemplateCommand({ domainId: idOf(made[i], 'domain'), name: 'Base', status: 'Active' }));
    made[i].ids.set('template base', template.templateId!);
    made[i].arns.set('template base', template.templateArn!);
  }
  known.template.push('template base');

  const seen: Record<string, number> = {};
  for (let step = 0; step < 400; step++) {
    const call = pick(chance(0.5) ? caseCalls : resourceCalls)();
    const results = [];
    for (const [i, s] of servers.entries()) results.push(await run(s.client, call, made[i]));
    if (call.made && results.every((r) => r.out)) {
      const { kind, symbol, id, arn, type } = call.made;
      for (const [i, r] of results.entries()) {
        made[i].ids.set(symbol, id(r.out));
        if (arn) made[i].arns.set(symbol, arn(r.out));
      }
      known[kind].push(symbol);
      if (type) fieldTypes.set(symbol, type);
    }
    if (call.removes && results.every((r) => r.out)) known[call.removes.kind] = known[call.removes.kind].filter((x) => x !== call.removes!.symbol);
    const [onSqlite, onPostgres] = results.map((r, i) => normalise(r.answer, made[i]));
    assert.deepEqual(onPostgres, onSqlite, `step ${step}: ${call.name} ${JSON.stringify(call.input)}`);
    const outcome = `${call.name} ${(results[0].answer as any)?.error ?? 'ok'}`;
    seen[outcome] = (seen[outcome] ?? 0) + 1;
  }
  // The sequence reached what it is for: things made and changed, and each kind of refusal.
  for (const outcome of ['CreateField ok', 'CreateTemplate ok', 'CreateLayout ok', 'CreateCase ok', 'UpdateCase ok', 'CreateRelatedItem ok']) {
    assert.ok(seen[outcome], `${outcome} never happened: ${JSON.stringify(seen)}`);
  }
  for (const error of ['ConflictException', 'ValidationException', 'ResourceNotFoundException']) {
    assert.ok(Object.keys(seen).some((k) => k.endsWith(` ${error}`)), `no call ended in ${error}`);
  }
});
