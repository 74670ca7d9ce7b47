import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateTemplateCommand,
  DeleteFieldCommand,
  DeleteLayoutCommand,
  DeleteTemplateCommand,
  GetTemplateCommand,
  ListTemplatesCommand,
  UpdateTemplateCommand,
  paginateListTemplates,
  type TemplateStatus,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';

describe('templates', () => {
  let t: TestServer;
  let domainId: string;
  let fieldA: string;
  let fieldB: string;
  let layoutId: string;
  before(async () => {
    t = await startTestServer({ quotas: { templatesPerDomain: 20 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'templates' }))).domainId!;
    fieldA = (await t.client.send(new CreateFieldCommand({ domainId, name: 'a', type: 'Text' }))).fieldId!;
    fieldB = (await t.client.send(new CreateFieldCommand({ domainId, name: 'b', type: 'Number' }))).fieldId!;
    layoutId = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'l', content: { basic: {} } }))).layoutId!;
  });
  after(() => t.close());

  /** Case rules come from CreateCaseRule; here they are stored directly so these tests depend on templates only. */
  async function seedCaseRule(id: string, deleted = false) {
    await t.server.store.write((tx) =>
      tx.putResource({ kind: 'caseRule', scope: domainId, id, name: `rule-${id}`, deleted, data: { caseRuleId: id } }),
    );
  }

  async function allTemplates(d: string, status?: TemplateStatus[]) {
    const out = [];
    for await (const page of paginateListTemplates({ client: t.client, pageSize: 3 }, { domainId: d, status })) out.push(...page.templates!);
    return out;
  }

  test('create with every member and get it back', async () => {
    await seedCaseRule('rule-1');
    const created = await t.client.send(
      new CreateTemplateCommand({
        domainId,
        name: 'full',
        description: 'all members',
        layoutConfiguration: { defaultLayout: layoutId },
        requiredFields: [{ fieldId: fieldA }, { fieldId: 'customer_id' }],
        status: 'Inactive',
        rules: [{ caseRuleId: 'rule-1', fieldId: fieldB }],
        tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { team: 'blue' } }],
      }),
    );
    assert.equal(created.templateArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/template/${created.templateId}`);
    const got = await t.client.send(new GetTemplateCommand({ domainId, templateId: created.templateId }));
    assert.equal(got.name, 'full');
    assert.equal(got.description, 'all members');
    assert.deepEqual(got.layoutConfiguration, { defaultLayout: layoutId });
    assert.deepEqual(got.requiredFields, [{ fieldId: fieldA }, { fieldId: 'customer_id' }]);
    assert.equal(got.status, 'Inactive');
    assert.deepEqual(got.rules, [{ caseRuleId: 'rule-1', fieldId: fieldB }]);
    assert.deepEqual(got.tagPropagationConfigurations, [{ resourceType: 'Cases', tagMap: { team: 'blue' } }]);
    assert.deepEqual(got.tags, {});
    assert.equal(got.deleted, false);
    assert.ok(got.createdTime instanceof Date && got.lastModifiedTime instanceof Date);
  });

  test('defaults: status Active, no required fields', async () => {
    const templateId = (await t.client.send(new CreateTemplateCommand({ domainId, name: 'minimal' }))).templateId!;
    const got = await t.client.send(new GetTemplateCommand({ domainId, templateId }));
    assert.equal(got.status, 'Active');
    assert.deepEqual(got.requiredFields, []);
    assert.equal(got.layoutConfiguration, undefined);
  });

  test('references must name live fields, layouts and case rules', async () => {
    const create = (extra: object) => t.client.send(new CreateTemplateCommand({ domainId, name: 'refs', ...extra }));
    await assertValidation(create({ requiredFields: [{ fieldId: 'nope' }, { fieldId: fieldA }] }), /requiredFields references unknown field ids: nope/);
    await assertValidation(create({ requiredFields: [{ fieldId: fieldA }, { fieldId: fieldA }] }), /more than once: /);
    await assertValidation(create({ layoutConfiguration: { defaultLayout: 'nope' } }), /unknown layout id nope/);
    await assertValidation(create({ rules: [{ caseRuleId: 'no-rule' }] }), /unknown case rule ids: no-rule/);
    await seedCaseRule('rule-gone', true);
    await assertValidation(create({ rules: [{ caseRuleId: 'rule-gone' }] }), /deleted case rule ids: rule-gone/);
    await seedCaseRule('rule-2');
    await assertValidation(create({ rules: [{ caseRuleId: 'rule-2', fieldId: 'nope' }] }), /rules references unknown field ids: nope/);
    await assertValidation(
      create({ rules: [{ caseRuleId: 'rule-2', fieldId: fieldA }, { caseRuleId: 'rule-2', fieldId: fieldA }] }),
      /same caseRuleId\/fieldId pair/,
    );

    const gone = (await t.client.send(new CreateFieldCommand({ domainId, name: 'gone', type: 'Text' }))).fieldId!;
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: gone }));
    await assertValidation(create({ requiredFields: [{ fieldId: gone }] }), /deleted field ids: /);
    const goneLayout = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'gone', content: { basic: {} } }))).layoutId!;
    await t.client.send(new DeleteLayoutCommand({ domainId, layoutId: goneLayout }));
    await assertValidation(create({ layoutConfiguration: { defaultLayout: goneLayout } }), /deleted layout id/);

    await assertValidation(create({ status: 'Paused' }), /at 'status'.*enum/);
    await assertValidation(create({ tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { 'aws:x': 'y' } }] }), /tagMap/);
    await assertNotFound(t.client.send(new CreateTemplateCommand({ domainId: 'nope', name: 'x' })), /Domain/);
    // Nothing of the refused calls was stored.
    assert.ok(!(await allTemplates(domainId)).some((x) => x.name === 'refs'));
  });

  test('GetTemplate leaves out deleted fields', async () => {
    const fieldId = (await t.client.send(new CreateFieldCommand({ domainId, name: 'transient', type: 'Text' }))).fieldId!;
    await seedCaseRule('rule-3');
    const { templateId } = await t.client.send(
      new CreateTemplateCommand({
        domainId,
        name: 'with-transient',
        requiredFields: [{ fieldId }, { fieldId: fieldA }],
        rules: [{ caseRuleId: 'rule-3', fieldId }, { caseRuleId: 'rule-3', fieldId: fieldA }],
      }),
    );
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId }));
    const got = await t.client.send(new GetTemplateCommand({ domainId, templateId }));
    assert.deepEqual(got.requiredFields, [{ fieldId: fieldA }]);
    assert.deepEqual(got.rules, [{ caseRuleId: 'rule-3', fieldId: fieldA }]);
  });

  test('UpdateTemplate keeps what is left out and replaces what is given', async () => {
    const { templateId } = await t.client.send(
      new CreateTemplateCommand({
        domainId,
        name: 'upd',
        description: 'before',
        requiredFields: [{ fieldId: fieldA }],
        layoutConfiguration: { defaultLayout: layoutId },
        tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { k: 'v' } }],
      }),
    );
    await t.client.send(new UpdateTemplateCommand({ domainId, templateId, status: 'Inactive' }));
    let got = await t.client.send(new GetTemplateCommand({ domainId, templateId }));
    assert.deepEqual(
      [got.name, got.description, got.status, got.requiredFields, got.layoutConfiguration, got.tagPropagationConfigurations],
      ['upd', 'before', 'Inactive', [{ fieldId: fieldA }], { defaultLayout: layoutId }, [{ resourceType: 'Cases', tagMap: { k: 'v' } }]],
    );
    await t.client.send(
      new UpdateTemplateCommand({ domainId, templateId, name: 'upd2', description: '', requiredFields: [], tagPropagationConfigurations: [] }),
    );
    got = await t.client.send(new GetTemplateCommand({ domainId, templateId }));
    assert.deepEqual([got.name, got.description, got.requiredFields, got.status], ['upd2', '', [], 'Inactive']);
    assert.ok(!got.tagPropagationConfigurations?.length);

    await t.client.send(new CreateTemplateCommand({ domainId, name: 'taken' }));
    await assertConflict(t.client.send(new CreateTemplateCommand({ domainId, name: 'taken' })), /taken/);
    await assertConflict(t.client.send(new UpdateTemplateCommand({ domainId, templateId, name: 'taken' })), /taken/);
    await t.client.send(new UpdateTemplateCommand({ domainId, templateId, name: 'upd2' }));
    await assertValidation(t.client.send(new UpdateTemplateCommand({ domainId, templateId, requiredFields: [{ fieldId: 'nope' }] })), /nope/);
    await assertValidation(t.client.send(new UpdateTemplateCommand({ domainId, templateId, layoutConfiguration: { defaultLayout: 'nope' } })), /nope/);
    await assertValidation(t.client.send(new UpdateTemplateCommand({ domainId, templateId })), /at least one/);
    await assertNotFound(t.client.send(new UpdateTemplateCommand({ domainId, templateId: 'missing', status: 'Active' })), /Template missing/);
  });

  test('DeleteTemplate is soft: Get answers with deleted, List omits, Update fails, the name is free', async () => {
    const templateId = (await t.client.send(new CreateTemplateCommand({ domainId, name: 'doomed' }))).templateId!;
    await t.client.send(new DeleteTemplateCommand({ domainId, templateId }));
    const got = await t.client.send(new GetTemplateCommand({ domainId, templateId }));
    assert.equal(got.deleted, true);
    assert.equal(got.name, 'doomed');
    assert.ok(!(await allTemplates(domainId)).some((x) => x.templateId === templateId));
    await assertValidation(t.client.send(new UpdateTemplateCommand({ domainId, templateId, status: 'Inactive' })), /deleted/);
    await assertValidation(t.client.send(new DeleteTemplateCommand({ domainId, templateId })), /already been deleted/);
    await t.client.send(new CreateTemplateCommand({ domainId, name: 'doomed' }));
    await assertNotFound(t.client.send(new GetTemplateCommand({ domainId, templateId: 'missing' })), /Template missing/);
    await assertNotFound(t.client.send(new DeleteTemplateCommand({ domainId, templateId: 'missing' })), /Template missing/);
  });

  test('ListTemplates filters on status and pages; quota counts live templates', async () => {
    const d = (await t.client.send(new CreateDomainCommand({ name: 'list' }))).domainId!;
    const created: string[] = [];
    for (let i = 0; i < 20; i++) {
      const status = i % 3 === 0 ? 'Inactive' : 'Active';
      created.push((await t.client.send(new CreateTemplateCommand({ domainId: d, name: `t${i}`, status }))).templateId!);
    }
    await assertQuota(t.client.send(new CreateTemplateCommand({ domainId: d, name: 'extra' })), /maximum of 20 templates/);
    assert.deepEqual(
      (await allTemplates(d)).map((x) => x.templateId),
      created,
    );
    const act = await allTemplates(d, ['Active']);
    assert.equal(act.length, 13);
    assert.ok(act.every((x) => x.status === 'Active'));
    const inact = await allTemplates(d, ['Inactive']);
    assert.equal(inact.length, 7);
    assert.ok(inact.every((x) => x.status === 'Inactive'));
    assert.equal((await allTemplates(d, ['Active', 'Inactive'])).length, 20);

    await t.client.send(new DeleteTemplateCommand({ domainId: d, templateId: act[0].templateId }));
    await t.client.send(new CreateTemplateCommand({ domainId: d, name: 'extra', tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { a: 'b' } }] }));
    const listed = await allTemplates(d);
    assert.equal(listed.length, 20);
    assert.deepEqual(listed.at(-1)!.tagPropagationConfigurations, [{ resourceType: 'Cases', tagMap: { a: 'b' } }]);

    const page = await t.client.send(new ListTemplatesCommand({ domainId: d, maxResults: 2 }));
    await assertValidation(t.client.send(new ListTemplatesCommand({ domainId, nextToken: page.nextToken })), /nextToken/);
    await assertValidation(t.client.send(new ListTemplatesCommand({ domainId: d, status: ['Bogus' as any] })), /status/);
    await assertNotFound(t.client.send(new ListTemplatesCommand({ domainId: 'nope' })), /Domain/);
  });

  test('another account sees no templates', async () => {
    const templateId = (await t.client.send(new CreateTemplateCommand({ domainId, name: 'private' }))).templateId!;
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new GetTemplateCommand({ domainId, templateId })), /Domain/);
      await assertNotFound(other.send(new ListTemplatesCommand({ domainId })), /Domain/);
      await assertNotFound(other.send(new CreateTemplateCommand({ domainId, name: 'x' })), /Domain/);
      await assertNotFound(other.send(new UpdateTemplateCommand({ domainId, templateId, status: 'Inactive' })), /Domain/);
      await assertNotFound(other.send(new DeleteTemplateCommand({ domainId, templateId })), /Domain/);
    } finally {
      other.destroy();
    }
    assert.equal((await t.client.send(new GetTemplateCommand({ domainId, templateId }))).status, 'Active');
  });
});
