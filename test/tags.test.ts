import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetFieldCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateTemplateCommand,
  DeleteDomainCommand,
  DeleteFieldCommand,
  GetDomainCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-connectcases';
import { assertNotFound, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';
import { awsCli } from './support/aws-cli.js';

describe('tags', () => {
  let t: TestServer;
  let domainId: string;
  let domainArn: string;
  before(async () => {
    t = await startTestServer({ quotas: { tagsPerResource: 5 } });
    const d = await t.client.send(new CreateDomainCommand({ name: 'tags' }));
    domainId = d.domainId!;
    domainArn = d.domainArn!;
  });
  after(() => t.close());

  const tag = (arn: string, tags: Record<string, string>) => t.client.send(new TagResourceCommand({ arn, tags }));
  const untag = (arn: string, tagKeys: string[]) => t.client.send(new UntagResourceCommand({ arn, tagKeys }));
  const list = async (arn: string) => (await t.client.send(new ListTagsForResourceCommand({ arn }))).tags;

  test('domain, field, layout and template tags show in their Get responses', async () => {
    const field = await t.client.send(new CreateFieldCommand({ domainId, name: 'f', type: 'Text' }));
    const layout = await t.client.send(new CreateLayoutCommand({ domainId, name: 'l', content: { basic: {} } }));
    const template = await t.client.send(new CreateTemplateCommand({ domainId, name: 't' }));
    for (const arn of [domainArn, field.fieldArn!, layout.layoutArn!, template.templateArn!]) {
      assert.deepEqual(await list(arn), {});
      await tag(arn, { team: 'blue', env: 'test' });
      await tag(arn, { team: 'red', 'cost center': '' });
      assert.deepEqual(await list(arn), { team: 'red', env: 'test', 'cost center': '' });
      await untag(arn, ['env', 'never-set']);
      assert.deepEqual(await list(arn), { team: 'red', 'cost center': '' });
    }
    const expected = { team: 'red', 'cost center': '' };
    assert.deepEqual((await t.client.send(new GetDomainCommand({ domainId }))).tags, expected);
    assert.deepEqual((await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: field.fieldId }] }))).fields![0].tags, expected);
    assert.deepEqual((await t.client.send(new GetLayoutCommand({ domainId, layoutId: layout.layoutId }))).tags, expected);
    assert.deepEqual((await t.client.send(new GetTemplateCommand({ domainId, templateId: template.templateId }))).tags, expected);
    // Tags are per resource: the domain's tags are not the field's.
    await tag(domainArn, { only: 'domain' });
    assert.equal((await list(field.fieldArn!))!.only, undefined);
  });

  test('system fields and deleted fields can be tagged', async () => {
    const statusArn = `${domainArn}/field/status`;
    await tag(statusArn, { k: 'v' });
    assert.deepEqual(await list(statusArn), { k: 'v' });
    const field = await t.client.send(new CreateFieldCommand({ domainId, name: 'deleted-later', type: 'Text' }));
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: field.fieldId }));
    await tag(field.fieldArn!, { k: 'v' });
    assert.deepEqual((await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: field.fieldId }] }))).fields![0].tags, { k: 'v' });
  });

  test('case rules and cases are taggable; case tags live on the case', async () => {
    // Stored directly: these tests are about tagging, not about creating case rules or cases.
    const now = new Date().toISOString();
    await t.server.store.write(async (tx) => {
      await tx.putResource({ kind: 'caseRule', scope: domainId, id: 'rule-1', name: 'rule', deleted: false, data: { caseRuleId: 'rule-1' } });
      await tx.insertCase({
        domainId,
        caseId: 'case-1',
        templateId: 'tpl',
        referenceNumber: '12345678',
        createdTime: now,
        lastUpdatedTime: now,
        fields: { title: { stringValue: 'hello' } },
        tags: { origin: 'seed' },
      });
    });
    const ruleArn = `${domainArn}/case-rule/rule-1`;
    await tag(ruleArn, { a: '1' });
    assert.deepEqual(await list(ruleArn), { a: '1' });

    const caseArn = `${domainArn}/case/case-1`;
    assert.deepEqual(await list(caseArn), { origin: 'seed' });
    await tag(caseArn, { a: '1' });
    await untag(caseArn, ['origin']);
    assert.deepEqual(await list(caseArn), { a: '1' });
    const stored = await t.server.store.read((tx) => tx.getCase(domainId, 'case-1'));
    assert.deepEqual(stored!.tags, { a: '1' });
    assert.deepEqual(stored!.fields, { title: { stringValue: 'hello' } }, 'tagging leaves the case values alone');
    assert.equal(stored!.lastUpdatedTime, now);

    await assertNotFound(list(`${domainArn}/case/no-such-case`));
    await assertNotFound(list(`${domainArn}/case-rule/no-such-rule`));
  });

  test('ARNs that name nothing of this account and region are not found', async () => {
    const missing = [
      `${domainArn}/field/nope`,
      `${domainArn}/layout/nope`,
      `${domainArn}/template/nope`,
      'arn:aws:cases:us-east-1:000000000000:domain/nope',
      domainArn.replace('us-east-1', 'eu-west-1'),
      domainArn.replace('000000000000', '111122223333'),
      `${domainArn}/case/c/related-item/r`,
      'arn:aws:s3:::bucket',
      'not-an-arn',
    ];
    for (const arn of missing) {
      const err = await assertNotFound(list(arn));
      assert.equal(err.resourceId, arn);
      await assertNotFound(tag(arn, { a: 'b' }));
      await assertNotFound(untag(arn, ['a']));
    }
  });

  test('tag keys and values are checked; at most tagsPerResource tags', async () => {
    const { fieldArn } = await t.client.send(new CreateFieldCommand({ domainId, name: 'limits', type: 'Text' }));
    await assertValidation(tag(fieldArn!, { 'aws:owner': 'x' }), /reserved prefix aws:/);
    await assertValidation(tag(fieldArn!, { ['k'.repeat(129)]: 'x' }), /1 to 128 characters/);
    await assertValidation(tag(fieldArn!, { k: 'v'.repeat(257) }), /longer than 256/);
    await assertValidation(tag(fieldArn!, { k: null as unknown as string }), /null value/);
    await assertValidation(untag(fieldArn!, ['aws:owner']), /tagKeys/);
    assert.deepEqual(await list(fieldArn!), {}, 'refused calls change nothing');

    await tag(fieldArn!, { a: '1', b: '2', c: '3', d: '4', e: '5' });
    await tag(fieldArn!, { a: 'overwritten' });
    await assertValidation(tag(fieldArn!, { f: '6' }), /at most 5 tags/);
    await untag(fieldArn!, ['e']);
    await tag(fieldArn!, { f: '6' });
    assert.deepEqual(await list(fieldArn!), { a: 'overwritten', b: '2', c: '3', d: '4', f: '6' });
  });

  test('deleting a domain removes its tags; another account cannot touch them', async () => {
    const d = await t.client.send(new CreateDomainCommand({ name: 'short-lived' }));
    const { fieldArn } = await t.client.send(new CreateFieldCommand({ domainId: d.domainId, name: 'f', type: 'Text' }));
    await tag(d.domainArn!, { a: '1' });
    await tag(fieldArn!, { a: '1' });

    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new ListTagsForResourceCommand({ arn: d.domainArn })));
      await assertNotFound(other.send(new TagResourceCommand({ arn: fieldArn, tags: { b: '2' } })));
      await assertNotFound(other.send(new UntagResourceCommand({ arn: d.domainArn, tagKeys: ['a'] })));
    } finally {
      other.destroy();
    }
    assert.deepEqual(await list(d.domainArn!), { a: '1' });

    await t.client.send(new DeleteDomainCommand({ domainId: d.domainId }));
    await assertNotFound(list(d.domainArn!));
    await assertNotFound(list(fieldArn!));
    const leftover = await t.server.store.read(async (tx) => [await tx.getTags(d.domainArn!), await tx.getTags(fieldArn!)]);
    assert.deepEqual(leftover, [undefined, undefined]);
  });

  // A JavaScript object takes out['__proto__'] = v for its prototype; the key must be kept like any other. The AWS
  // CLI sends it (an object literal of the JS SDK's caller could not), so the CLI is the client here, and the maps
  // are written as JSON text: `{ __proto__: 'a' }` in JavaScript has no such key.
  test('a tag key named __proto__ is kept: TagResource, a template tagMap, CreateCase (AWS CLI)', async () => {
    const aws = (args: string[]) => awsCli(t.server.endpoint, args);
    const d = await t.client.send(new CreateDomainCommand({ name: 'proto-tags' }));
    await aws(['tag-resource', '--arn', d.domainArn!, '--tags', '{"__proto__":"a","constructor":"b"}']);
    const listed = (await aws(['list-tags-for-resource', '--arn', d.domainArn!])).tags;
    assert.deepEqual(listed, JSON.parse('{"__proto__":"a","constructor":"b"}'));
    assert.ok(Object.hasOwn(listed, '__proto__'));

    const template = await aws([
      'create-template', '--domain-id', d.domainId!, '--name', 'propagates', '--status', 'Active',
      '--tag-propagation-configurations', '[{"resourceType":"Cases","tagMap":{"__proto__":"from-template","team":"blue"}}]',
    ]);
    const got = await aws(['get-template', '--domain-id', d.domainId!, '--template-id', template.templateId]);
    assert.deepEqual(got.tagPropagationConfigurations[0].tagMap, JSON.parse('{"__proto__":"from-template","team":"blue"}'));
    const created = await aws([
      'create-case', '--domain-id', d.domainId!, '--template-id', template.templateId,
      '--fields', '[{"id":"title","value":{"stringValue":"tagged"}}]', '--tags', '{"ok":"1"}',
    ]);
    const c = await aws(['get-case', '--domain-id', d.domainId!, '--case-id', created.caseId, '--fields', 'id=title']);
    assert.deepEqual(c.tags, JSON.parse('{"__proto__":"from-template","team":"blue","ok":"1"}'));
    await aws(['untag-resource', '--arn', d.domainArn!, '--tag-keys', '__proto__']);
    assert.deepEqual((await aws(['list-tags-for-resource', '--arn', d.domainArn!])).tags, { constructor: 'b' });
  });
});
