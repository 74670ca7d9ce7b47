import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetCaseRuleCommand,
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateCaseRuleCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteCaseRuleCommand,
  DeleteFieldCommand,
  GetCaseCommand,
  GetTemplateCommand,
  ListCaseRulesCommand,
  TagResourceCommand,
  UpdateCaseCommand,
  UpdateCaseRuleCommand,
  UpdateTemplateCommand,
  paginateListCaseRules,
  type BooleanCondition,
  type CaseRuleDetails,
  type ConnectCasesClient,
  type FieldType,
  type FieldValue,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';

const eq = (fieldId: string, operandTwo: any, result = true): BooleanCondition => ({ equalTo: { operandOne: { fieldId }, operandTwo, result } }) as BooleanCondition;
const required = (conditions: BooleanCondition[], defaultValue = false): CaseRuleDetails => ({ required: { defaultValue, conditions } });

async function field(client: ConnectCasesClient, domainId: string, name: string, type: FieldType, options: string[] = []): Promise<string> {
  const { fieldId } = await client.send(new CreateFieldCommand({ domainId, name, type }));
  if (options.length) {
    const r = await client.send(
      new BatchPutFieldOptionsCommand({ domainId, fieldId, options: options.map((value) => ({ name: value, value, active: true })) }),
    );
    assert.deepEqual(r.errors, []);
  }
  return fieldId!;
}

describe('case rules', () => {
  let t: TestServer;
  let domainId: string;
  const f: Record<string, string> = {};
  before(async () => {
    t = await startTestServer({ quotas: { caseRulesPerDomain: 30 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'rules' }))).domainId!;
    f.country = await field(t.client, domainId, 'Country', 'SingleSelect', ['us', 'fr', 'inactive_one']);
    f.state = await field(t.client, domainId, 'State', 'SingleSelect', ['ca', 'ny', 'idf']);
    f.amount = await field(t.client, domainId, 'Amount', 'Number');
    f.vip = await field(t.client, domainId, 'VIP', 'Boolean');
    f.due = await field(t.client, domainId, 'Due', 'DateTime');
    f.note = await field(t.client, domainId, 'Note', 'Text');
    f.owner = await field(t.client, domainId, 'Owner', 'User');
    f.link = await field(t.client, domainId, 'Link', 'Url');
    await t.client.send(
      new BatchPutFieldOptionsCommand({ domainId, fieldId: f.country, options: [{ name: 'inactive_one', value: 'inactive_one', active: false }] }),
    );
  });
  after(() => t.close());

  const create = (name: string, rule: CaseRuleDetails, description?: string) =>
    t.client.send(new CreateCaseRuleCommand({ domainId, name, rule, description }));
  const get = async (id: string) => {
    const r = await t.client.send(new BatchGetCaseRuleCommand({ domainId, caseRules: [{ id }] }));
    assert.equal(r.caseRules!.length, 1);
    return r.caseRules![0];
  };

  test('create, batch get, update, list and soft delete', async () => {
    const rule = required([eq('status', { stringValue: 'closed' }), eq(f.amount, { doubleValue: 100 }, false)]);
    const c = await create('close-needs-reason', rule, 'reason when closing');
    assert.match(c.caseRuleId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(c.caseRuleArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/case-rule/${c.caseRuleId}`);

    const got = await get(c.caseRuleId!);
    assert.equal(got.name, 'close-needs-reason');
    assert.equal(got.description, 'reason when closing');
    assert.equal(got.caseRuleArn, c.caseRuleArn);
    assert.deepEqual(got.rule, rule);
    assert.equal(got.deleted, false);
    assert.deepEqual(got.tags, {});
    assert.ok(got.createdTime instanceof Date);
    assert.equal(got.lastModifiedTime!.getTime(), got.createdTime!.getTime());

    await new Promise((r) => setTimeout(r, 5));
    const hidden: CaseRuleDetails = { hidden: { defaultValue: true, conditions: [eq(f.vip, { booleanValue: true }, false)] } };
    await t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: c.caseRuleId, rule: hidden }));
    const updated = await get(c.caseRuleId!);
    assert.deepEqual(updated.rule, hidden);
    assert.equal(updated.name, 'close-needs-reason', 'members left out keep their value');
    assert.equal(updated.description, 'reason when closing');
    assert.ok(updated.lastModifiedTime!.getTime() > updated.createdTime!.getTime());

    await t.client.send(new TagResourceCommand({ arn: c.caseRuleArn, tags: { team: 'billing' } }));
    assert.deepEqual((await get(c.caseRuleId!)).tags, { team: 'billing' });

    await t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: c.caseRuleId, name: 'renamed', description: '' }));
    const renamed = await get(c.caseRuleId!);
    assert.equal(renamed.name, 'renamed');
    assert.equal(renamed.description, '');

    const listed = await t.client.send(new ListCaseRulesCommand({ domainId }));
    const summary = listed.caseRules!.find((r) => r.caseRuleId === c.caseRuleId);
    assert.deepEqual(summary, { caseRuleId: c.caseRuleId, caseRuleArn: c.caseRuleArn, name: 'renamed', description: '', ruleType: 'Hidden' });

    await t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: c.caseRuleId }));
    const deleted = await get(c.caseRuleId!);
    assert.equal(deleted.deleted, true, 'BatchGet still returns a deleted rule');
    assert.equal(deleted.name, 'renamed');
    const after = await t.client.send(new ListCaseRulesCommand({ domainId }));
    assert.ok(!after.caseRules!.some((r) => r.caseRuleId === c.caseRuleId), 'List omits deleted rules');
    await assertValidation(t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: c.caseRuleId, name: 'x' })), /deleted/);
    await t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: c.caseRuleId }));
    // The name of a deleted rule is free again.
    await create('renamed', rule);
  });

  test('rule types in summaries; field-option rules store parent and child', async () => {
    const fo: CaseRuleDetails = {
      fieldOptions: {
        parentFieldId: f.country,
        childFieldId: f.state,
        parentChildFieldOptionsMappings: [
          { parentFieldOptionValue: 'us', childFieldOptionValues: ['ca', 'ny'] },
          { parentFieldOptionValue: 'fr', childFieldOptionValues: ['idf'] },
          { parentFieldOptionValue: 'inactive_one', childFieldOptionValues: [] },
        ],
      },
    };
    const a = await create('types-options', fo);
    const b = await create('types-required', required([], true));
    const got = await get(a.caseRuleId!);
    assert.deepEqual(got.rule, fo);
    const listed = await t.client.send(new ListCaseRulesCommand({ domainId, maxResults: 100 }));
    const type = (id: string) => listed.caseRules!.find((r) => r.caseRuleId === id)?.ruleType;
    assert.equal(type(a.caseRuleId!), 'FieldOptions');
    assert.equal(type(b.caseRuleId!), 'Required');
  });

  test('operands of every field type; emptyValue fits every type', async () => {
    const ok = required([
      eq(f.note, { stringValue: 'x' }),
      eq(f.link, { stringValue: 'https://example.com' }),
      eq(f.owner, { stringValue: 'arn:aws:connect:us-east-1:000000000000:instance/i/agent/a' }),
      { andAll: { conditions: [eq(f.amount, { doubleValue: 1.5 }), eq(f.vip, { emptyValue: {} })] } },
    ]);
    const r = await create('types-ok', ok);
    assert.deepEqual((await get(r.caseRuleId!)).rule, ok);
    await create('types-ok-2', { hidden: { defaultValue: false, conditions: [eq(f.due, { stringValue: '2024-03-16T23:16:57.893Z' }), eq(f.vip, { booleanValue: false })] } });
    await create('types-status', required([eq('status', { stringValue: 'open' }), eq(f.country, { stringValue: 'inactive_one' })]));
  });

  test('validation: counts, nesting, compound results', async () => {
    const six = Array.from({ length: 6 }, (_, i) => eq(f.note, { stringValue: `v${i}` }));
    await assertValidation(create('v1', required(six)), /at most 5 conditions, found 6/);
    await assertValidation(
      create('v2', required([{ orAll: { conditions: [...six.slice(0, 3), { andAll: { conditions: six.slice(3) } }] } }])),
      /at most 5 conditions, found 6/,
    );
    await create('v-five', required([{ orAll: { conditions: [six[0], { andAll: { conditions: six.slice(1, 5) } }] } }]));
    const deep: BooleanCondition = { andAll: { conditions: [{ orAll: { conditions: [{ andAll: { conditions: [six[0]] } }] } }] } };
    await assertValidation(create('v3', required([deep])), /rule\.required\.conditions\[0\]\.andAll\.conditions\[0\]\.orAll\.conditions\[0\]\.andAll nests conditions deeper than 2 levels/);
    await assertValidation(create('v4', required([{ andAll: { conditions: [] } }])), /andAll must contain at least one condition/);
    await assertValidation(
      create('v5', required([{ orAll: { conditions: [eq(f.note, { stringValue: 'a' }, true), eq(f.note, { stringValue: 'b' }, false)] } }])),
      /orAll mixes conditions with result true and false/,
    );
    // The protocol layer already refuses a union with two members.
    await assertValidation(
      create('v6', { required: { defaultValue: false, conditions: [{ equalTo: eq(f.note, { stringValue: 'a' }).equalTo, notEqualTo: eq(f.note, { stringValue: 'a' }).equalTo } as any] } }),
      /exactly one member/,
    );
  });

  test('validation: operand types and option values', async () => {
    await assertValidation(create('t1', required([eq(f.amount, { stringValue: '5' })])), new RegExp(`operandTwo\\.stringValue does not fit field ${f.amount} of type Number, which compares with doubleValue`));
    await assertValidation(create('t2', required([eq(f.vip, { doubleValue: 1 })])), /of type Boolean, which compares with booleanValue/);
    await assertValidation(create('t3', required([eq(f.note, { booleanValue: true })])), /of type Text, which compares with stringValue/);
    await assertValidation(create('t4', required([eq(f.owner, { doubleValue: 1 })])), /of type User, which compares with stringValue/);
    await assertValidation(create('t5', required([eq(f.country, { stringValue: 'de' })])), new RegExp(`'de' is not an option of field ${f.country}`));
    await assertValidation(create('t6', required([eq('status', { stringValue: 'pending' })])), /'pending' is not an option of field status/);
    await assertValidation(create('t7', required([eq(f.due, { stringValue: 'tomorrow' })])), /'tomorrow' is not an ISO-8601 date-time/);
    // The forms a DateTime value may take, no others: a date alone, a time without a zone, a date no calendar has.
    for (const s of ['2024-03-16', '2024-03-16T10:00:00', '2025-02-30T00:00:00Z']) {
      await assertValidation(create('t7', required([eq(f.due, { stringValue: s })])), /is not an ISO-8601 date-time/);
    }
    // Every problem is named at once.
    const err = await assertValidation(create('t8', required([eq(f.amount, { booleanValue: true }), eq(f.vip, { stringValue: 'x' })])));
    assert.match(err.message, /conditions\[0\]\.equalTo/);
    assert.match(err.message, /conditions\[1\]\.equalTo/);
  });

  test('validation: missing and deleted fields', async () => {
    const gone = await field(t.client, domainId, 'Gone', 'Text');
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: gone }));
    await assertValidation(create('m1', required([eq('no-such-field', { emptyValue: {} })])), /operandOne\.fieldId names unknown field no-such-field/);
    await assertValidation(create('m2', required([eq(gone, { emptyValue: {} })])), new RegExp(`names deleted field ${gone}`));
    await assertValidation(
      create('m3', { hidden: { defaultValue: false, conditions: [{ orAll: { conditions: [eq(gone, { stringValue: 'x' })] } }] } }),
      /rule\.hidden\.conditions\[0\]\.orAll\.conditions\[0\]\.equalTo\.operandOne\.fieldId names deleted field/,
    );
    const fo = (parentFieldId: string | undefined, childFieldId: string | undefined, parent = 'us', children = ['ca']): CaseRuleDetails => ({
      fieldOptions: { parentFieldId, childFieldId, parentChildFieldOptionsMappings: [{ parentFieldOptionValue: parent, childFieldOptionValues: children }] },
    });
    await assertValidation(create('m4', fo(f.country, 'nope')), /childFieldId names unknown field nope/);
    await assertValidation(create('m5', fo(gone, f.state)), /parentFieldId names deleted field/);
    await assertValidation(create('m6', fo(undefined, f.state)), /parentFieldId is required/);
    await assertValidation(create('m7', fo(f.country, f.country)), /childFieldId must differ from parentFieldId/);
  });

  test('validation: field-option rules need SingleSelect fields and known option values', async () => {
    const fo = (parentFieldId: string, childFieldId: string, mappings: { p: string; c: string[] }[]): CaseRuleDetails => ({
      fieldOptions: {
        parentFieldId,
        childFieldId,
        parentChildFieldOptionsMappings: mappings.map((m) => ({ parentFieldOptionValue: m.p, childFieldOptionValues: m.c })),
      },
    });
    await assertValidation(create('o1', fo(f.note, f.state, [{ p: 'us', c: [] }])), new RegExp(`parentFieldId ${f.note} is a Text field; field-option rules need SingleSelect fields`));
    await assertValidation(create('o2', fo(f.country, f.amount, [{ p: 'us', c: [] }])), /childFieldId .* is a Number field/);
    await assertValidation(create('o3', fo(f.country, f.state, [{ p: 'de', c: ['ca'] }])), /parentFieldOptionValue 'de' is not an option of field/);
    await assertValidation(create('o4', fo(f.country, f.state, [{ p: 'us', c: ['ca', 'zz', 'yy'] }])), /childFieldOptionValues 'zz', 'yy' are not options of field/);
    await assertValidation(create('o5', fo(f.country, f.state, [{ p: 'us', c: ['ca'] }, { p: 'us', c: ['ny'] }])), /'us' is mapped more than once/);
    await assertValidation(create('o6', fo(f.country, f.state, [{ p: '', c: ['ca'] }])), /'' is not an option/);
    await create('o-ok', fo('status', f.state, [{ p: 'open', c: ['ca'] }]));
  });

  test('update validates the new rule and the new name', async () => {
    const a = await create('upd-a', required([]));
    await create('upd-b', required([]));
    await assertConflict(t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: a.caseRuleId, name: 'upd-b' })), /upd-b/);
    await t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: a.caseRuleId, name: 'upd-a' }));
    await assertValidation(t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: a.caseRuleId, rule: required([eq(f.amount, { stringValue: 'x' })]) })), /does not fit/);
    assert.deepEqual((await get(a.caseRuleId!)).rule, required([]), 'a refused update changes nothing');
    await assertNotFound(t.client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId: 'missing', name: 'x' })), /CaseRule missing not found/);
  });

  test('names are unique per domain; unknown rules and domains are not found', async () => {
    await create('unique', required([]));
    await assertConflict(create('unique', required([])), /'unique' already exists/);
    await assertNotFound(t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: 'missing' })), /CaseRule/);
    await assertNotFound(t.client.send(new ListCaseRulesCommand({ domainId: 'no-domain' })), /Domain/);
    await assertNotFound(t.client.send(new CreateCaseRuleCommand({ domainId: 'no-domain', name: 'x', rule: required([]) })), /Domain/);
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    await assertNotFound(other.send(new ListCaseRulesCommand({ domainId })), /Domain/);
    await assertNotFound(other.send(new BatchGetCaseRuleCommand({ domainId, caseRules: [{ id: 'x' }] })), /Domain/);
    other.destroy();
  });

  test('BatchGetCaseRule reports unknown ids in errors and returns each id once, in request order', async () => {
    const a = await create('batch-a', required([]));
    const b = await create('batch-b', required([], true));
    const r = await t.client.send(
      new BatchGetCaseRuleCommand({ domainId, caseRules: [{ id: b.caseRuleId }, { id: 'nope' }, { id: a.caseRuleId }, { id: b.caseRuleId }] }),
    );
    assert.deepEqual(
      r.caseRules!.map((x) => x.name),
      ['batch-b', 'batch-a'],
    );
    assert.deepEqual(r.errors, [{ id: 'nope', errorCode: 'ResourceNotFoundException', message: 'Case rule nope not found' }]);
    assert.deepEqual(r.unprocessedCaseRules ?? [], []);
    await assertValidation(t.client.send(new BatchGetCaseRuleCommand({ domainId, caseRules: [] })), /caseRules/);
  });

  test('templates link rules; deleted or unknown rules cannot be linked', async () => {
    const r = await create('link-me', required([eq('status', { stringValue: 'closed' })]));
    const live = await create('still-here', required([eq('status', { stringValue: 'open' })]));
    const links = [
      { caseRuleId: r.caseRuleId, fieldId: f.note },
      { caseRuleId: live.caseRuleId, fieldId: f.note },
    ];
    const tpl = await t.client.send(new CreateTemplateCommand({ domainId, name: 'with-rules', rules: links }));
    const got = await t.client.send(new GetTemplateCommand({ domainId, templateId: tpl.templateId }));
    assert.deepEqual(got.rules, links);
    await assertValidation(
      t.client.send(new CreateTemplateCommand({ domainId, name: 'bad-rules', rules: [{ caseRuleId: 'nope', fieldId: f.note }] })),
      /unknown case rule ids: nope/,
    );
    await t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: r.caseRuleId }));
    await assertValidation(
      t.client.send(new CreateTemplateCommand({ domainId, name: 'bad-rules', rules: [{ caseRuleId: r.caseRuleId!, fieldId: f.note }] })),
      /deleted case rule ids/,
    );
    // GetTemplate leaves the link to the deleted rule out, so that its answer can go back to UpdateTemplate.
    const after = await t.client.send(new GetTemplateCommand({ domainId, templateId: tpl.templateId }));
    assert.deepEqual(after.rules, [links[1]]);
    await t.client.send(new UpdateTemplateCommand({ domainId, templateId: tpl.templateId, name: 'with-rules-2', rules: after.rules }));
  });
});

describe('case rule pagination and quota', () => {
  let t: TestServer;
  let domainId: string;
  before(async () => {
    t = await startTestServer({ quotas: { caseRulesPerDomain: 12 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'paging' }))).domainId!;
  });
  after(() => t.close());

  test('walking all pages returns every live rule once; the quota counts live rules', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await t.client.send(new CreateCaseRuleCommand({ domainId, name: `r${i}`, rule: required([]) }))).caseRuleId!);
    }
    await assertQuota(t.client.send(new CreateCaseRuleCommand({ domainId, name: 'one-too-many', rule: required([]) })), /maximum of 12 case rules/);
    await t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: ids[3] }));
    await t.client.send(new DeleteCaseRuleCommand({ domainId, caseRuleId: ids[8] }));
    ids.splice(8, 1);
    ids.splice(3, 1);
    ids.push((await t.client.send(new CreateCaseRuleCommand({ domainId, name: 'after-delete', rule: required([]) }))).caseRuleId!);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListCaseRules({ client: t.client, pageSize: 3 }, { domainId })) {
      pages++;
      assert.ok(page.caseRules!.length <= 3);
      seen.push(...page.caseRules!.map((r) => r.caseRuleId!));
    }
    assert.deepEqual(seen, ids, 'creation order, deleted rules left out');
    assert.equal(pages, 4);

    const first = await t.client.send(new ListCaseRulesCommand({ domainId, maxResults: 2 }));
    assert.ok(first.nextToken);
    await assertValidation(t.client.send(new ListCaseRulesCommand({ domainId, nextToken: 'garbage' })), /nextToken/);
    await assertValidation(t.client.send(new ListCaseRulesCommand({ domainId, maxResults: 101 })), /maxResults/);
  });
});

/**
 * One domain with: a `reason` field required when status is closed, an `amount` field hidden unless VIP is true
 * and always required (so it is demanded only when visible), and State options that depend on Country.
 */
async function enforcementDomain(t: TestServer) {
  const domainId = (await t.client.send(new CreateDomainCommand({ name: 'enforce' }))).domainId!;
  const f = {
    reason: await field(t.client, domainId, 'Reason', 'Text'),
    amount: await field(t.client, domainId, 'Amount', 'Number'),
    vip: await field(t.client, domainId, 'VIP', 'Boolean'),
    country: await field(t.client, domainId, 'Country', 'SingleSelect', ['us', 'fr', 'de']),
    state: await field(t.client, domainId, 'State', 'SingleSelect', ['ca', 'ny', 'idf']),
  };
  const rule = async (name: string, r: CaseRuleDetails) =>
    (await t.client.send(new CreateCaseRuleCommand({ domainId, name, rule: r }))).caseRuleId!;
  const rules = {
    reasonWhenClosed: await rule('reason-when-closed', required([eq('status', { stringValue: 'closed' })])),
    amountAlways: await rule('amount-always', required([], true)),
    amountHidden: await rule('amount-hidden-unless-vip', { hidden: { defaultValue: true, conditions: [eq(f.vip, { booleanValue: true }, false)] } }),
    states: await rule('states-by-country', {
      fieldOptions: {
        parentFieldId: f.country,
        childFieldId: f.state,
        parentChildFieldOptionsMappings: [
          { parentFieldOptionValue: 'us', childFieldOptionValues: ['ca', 'ny'] },
          { parentFieldOptionValue: 'fr', childFieldOptionValues: ['idf'] },
        ],
      },
    }),
  };
  const templateId = (
    await t.client.send(
      new CreateTemplateCommand({
        domainId,
        name: 'ruled',
        rules: [
          { caseRuleId: rules.reasonWhenClosed, fieldId: f.reason },
          { caseRuleId: rules.amountAlways, fieldId: f.amount },
          { caseRuleId: rules.amountHidden, fieldId: f.amount },
          { caseRuleId: rules.states, fieldId: f.state },
        ],
      }),
    )
  ).templateId!;
  const str = (id: string, stringValue: string): FieldValue => ({ id, value: { stringValue } });
  const createCase = (fields: FieldValue[]) =>
    t.client.send(new CreateCaseCommand({ domainId, templateId, fields: [str('title', 'T'), ...fields] }));
  const updateCase = (caseId: string, fields: FieldValue[]) => t.client.send(new UpdateCaseCommand({ domainId, caseId, fields }));
  return { domainId, f, rules, templateId, str, createCase, updateCase };
}

describe('case rule enforcement (--enforce-case-rules)', () => {
  let t: TestServer;
  let x: Awaited<ReturnType<typeof enforcementDomain>>;
  before(async () => {
    t = await startTestServer({ enforceCaseRules: true });
    x = await enforcementDomain(t);
  });
  after(() => t.close());

  test('required-if: a field a rule requires must hold a value, on create and update', async () => {
    const { f, str } = x;
    await assertValidation(
      x.createCase([str('status', 'closed')]),
      new RegExp(`field ${f.reason} is required by case rule 'reason-when-closed' \\(${x.rules.reasonWhenClosed}\\) but has no value`),
    );
    await x.createCase([str('status', 'closed'), str(f.reason, 'duplicate')]);
    const { caseId } = await x.createCase([]);
    await assertValidation(x.updateCase(caseId!, [str('status', 'closed')]), /reason-when-closed/);
    // Blank text is no value.
    await assertValidation(x.updateCase(caseId!, [str('status', 'closed'), str(f.reason, '   ')]), /reason-when-closed/);
    await x.updateCase(caseId!, [str('status', 'closed'), str(f.reason, 'fixed')]);
    await assertValidation(x.updateCase(caseId!, [{ id: f.reason, value: { emptyValue: {} } }]), /reason-when-closed/);
    await x.updateCase(caseId!, [str('status', 'open'), { id: f.reason, value: { emptyValue: {} } }]);
  });

  test('a hidden field is not demanded; once shown, its required rule applies', async () => {
    const { f } = x;
    await x.createCase([{ id: f.vip, value: { booleanValue: false } }]);
    const err = await assertValidation(x.createCase([{ id: f.vip, value: { booleanValue: true } }]), /amount-always/);
    assert.match(err.message, new RegExp(`field ${f.amount}`));
    await x.createCase([{ id: f.vip, value: { booleanValue: true } }, { id: f.amount, value: { doubleValue: 10 } }]);
  });

  test('option mapping: the child value must be one its parent allows', async () => {
    const { f, str } = x;
    await x.createCase([str(f.country, 'us'), str(f.state, 'ny')]);
    await assertValidation(
      x.createCase([str(f.country, 'us'), str(f.state, 'idf')]),
      new RegExp(`value 'idf' of field ${f.state} is not allowed by case rule 'states-by-country' \\(${x.rules.states}\\) \\(allowed: ca, ny\\)`),
    );
    // No parent value, or a parent value without mapping, leaves the child free.
    await x.createCase([str(f.state, 'idf')]);
    await x.createCase([str(f.country, 'de'), str(f.state, 'idf')]);
    const { caseId } = await x.createCase([str(f.country, 'fr'), str(f.state, 'idf')]);
    // Changing the parent re-checks the child.
    await assertValidation(x.updateCase(caseId!, [str(f.country, 'us')]), /states-by-country/);
    await x.updateCase(caseId!, [str(f.country, 'us'), str(f.state, 'ca')]);
    const got = await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: f.state }] }));
    assert.deepEqual(got.fields![0].value, { stringValue: 'ca' });
  });

  test('every violation is named at once; a refused request writes nothing', async () => {
    const { f, str } = x;
    const { caseId } = await x.createCase([str(f.country, 'fr')]);
    const err = await assertValidation(x.updateCase(caseId!, [str('status', 'closed'), str(f.state, 'ny')]));
    assert.match(err.message, /reason-when-closed/);
    assert.match(err.message, /states-by-country/);
    const got = await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'status' }, { id: f.state }] }));
    const values = Object.fromEntries(got.fields!.map((v) => [v.id, v.value]));
    assert.deepEqual(values.status, { stringValue: 'open' });
    assert.equal(values[f.state], undefined);
  });

  test('a violation the case already had does not block unrelated updates; deleted rules stop applying', async () => {
    const { f, str } = x;
    const { caseId } = await x.createCase([str('status', 'closed'), str(f.reason, 'r')]);
    // A rule added to the template later: VIP must be set on every case.
    const vipAlways = (await t.client.send(new CreateCaseRuleCommand({ domainId: x.domainId, name: 'vip-always', rule: required([], true) }))).caseRuleId!;
    const current = await t.client.send(new GetTemplateCommand({ domainId: x.domainId, templateId: x.templateId }));
    await t.client.send(
      new UpdateTemplateCommand({ domainId: x.domainId, templateId: x.templateId, rules: [...current.rules!, { caseRuleId: vipAlways, fieldId: f.vip }] }),
    );
    await x.updateCase(caseId!, [str(f.reason, 'other reason')]);
    await assertValidation(x.createCase([]), /vip-always/);
    await t.client.send(new DeleteCaseRuleCommand({ domainId: x.domainId, caseRuleId: vipAlways }));
    await x.createCase([]);
  });
  test('a rule on a field deleted since is no longer demanded', async () => {
    const extra = await field(t.client, x.domainId, 'Extra', 'Text');
    const extraAlways = (await t.client.send(new CreateCaseRuleCommand({ domainId: x.domainId, name: 'extra-always', rule: required([], true) }))).caseRuleId!;
    const current = await t.client.send(new GetTemplateCommand({ domainId: x.domainId, templateId: x.templateId }));
    await t.client.send(
      new UpdateTemplateCommand({ domainId: x.domainId, templateId: x.templateId, rules: [...current.rules!.filter((r) => Object.values(x.rules).includes(r.caseRuleId!)), { caseRuleId: extraAlways, fieldId: extra }] }),
    );
    await assertValidation(x.createCase([]), /extra-always/);
    await t.client.send(new DeleteFieldCommand({ domainId: x.domainId, fieldId: extra }));
    await x.createCase([]);
  });
});

describe('case rules without --enforce-case-rules', () => {
  let t: TestServer;
  let x: Awaited<ReturnType<typeof enforcementDomain>>;
  before(async () => {
    t = await startTestServer();
    x = await enforcementDomain(t);
  });
  after(() => t.close());

  test('rules are stored and returned but cases that break them are accepted', async () => {
    const { f, str } = x;
    const { caseId } = await x.createCase([str('status', 'closed'), str(f.country, 'us'), str(f.state, 'idf'), { id: f.vip, value: { booleanValue: true } }]);
    await x.updateCase(caseId!, [str(f.country, 'fr'), str(f.state, 'ny')]);
    const rules = await t.client.send(new BatchGetCaseRuleCommand({ domainId: x.domainId, caseRules: Object.values(x.rules).map((id) => ({ id })) }));
    assert.equal(rules.caseRules!.length, 4);
    const template = await t.client.send(new GetTemplateCommand({ domainId: x.domainId, templateId: x.templateId }));
    assert.equal(template.rules!.length, 4);
  });
});
