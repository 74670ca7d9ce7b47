import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetFieldCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  DeleteFieldCommand,
  ListFieldsCommand,
  UpdateFieldCommand,
  paginateListFields,
  type FieldSummary,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';
import { SYSTEM_FIELDS } from '../src/cases/system-fields.js';

async function allFields(t: TestServer, domainId: string): Promise<FieldSummary[]> {
  const out: FieldSummary[] = [];
  for await (const page of paginateListFields({ client: t.client, pageSize: 7 }, { domainId })) out.push(...page.fields!);
  return out;
}

describe('fields', () => {
  let t: TestServer;
  let domainId: string;
  before(async () => {
    t = await startTestServer({ quotas: { fieldsPerDomain: SYSTEM_FIELDS.length + 20, domainsPerAccount: 10 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'fields' }))).domainId!;
  });
  after(() => t.close());

  test('a new domain lists its system fields in namespace System', async () => {
    const fields = await allFields(t, domainId);
    assert.deepEqual(
      fields.map((f) => f.fieldId),
      SYSTEM_FIELDS.map((f) => f.id),
    );
    assert.ok(fields.every((f) => f.namespace === 'System'));
    const status = fields.find((f) => f.fieldId === 'status')!;
    assert.equal(status.type, 'SingleSelect');
    assert.equal(status.fieldArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/field/status`);
  });

  test('create fields of every type and read them back', async () => {
    const types = ['Text', 'Number', 'Boolean', 'DateTime', 'SingleSelect', 'Url', 'User'] as const;
    const ids: string[] = [];
    for (const type of types) {
      const r = await t.client.send(new CreateFieldCommand({ domainId, name: `f-${type}`, type, description: `a ${type}` }));
      assert.match(r.fieldId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(r.fieldArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/field/${r.fieldId}`);
      ids.push(r.fieldId!);
    }
    const got = await t.client.send(new BatchGetFieldCommand({ domainId, fields: ids.map((id) => ({ id })) }));
    assert.deepEqual(got.errors, []);
    assert.deepEqual(
      got.fields!.map((f) => [f.fieldId, f.type, f.namespace, f.name, f.description, f.deleted]),
      ids.map((id, i) => [id, types[i], 'Custom', `f-${types[i]}`, `a ${types[i]}`, false]),
    );
    assert.ok(got.fields![0].createdTime instanceof Date);
    assert.deepEqual(got.fields![0].tags, {});
    const listed = await allFields(t, domainId);
    assert.ok(ids.every((id) => listed.some((f) => f.fieldId === id && f.namespace === 'Custom')));
  });

  test('isMultiline belongs to Text fields only', async () => {
    const r = await t.client.send(
      new CreateFieldCommand({ domainId, name: 'notes', type: 'Text', attributes: { text: { isMultiline: true } } }),
    );
    const got = await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: r.fieldId }] }));
    assert.deepEqual(got.fields![0].attributes, { text: { isMultiline: true } });
    const listed = await allFields(t, domainId);
    assert.deepEqual(listed.find((f) => f.fieldId === r.fieldId)!.attributes, { text: { isMultiline: true } });
    await assertValidation(
      t.client.send(new CreateFieldCommand({ domainId, name: 'n', type: 'Number', attributes: { text: { isMultiline: true } } })),
      /Text fields only/,
    );
    await t.client.send(new UpdateFieldCommand({ domainId, fieldId: r.fieldId, attributes: { text: { isMultiline: false } } }));
    const after = await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: r.fieldId }] }));
    assert.deepEqual(after.fields![0].attributes, { text: { isMultiline: false } });
  });

  test('names are unique among live fields; request validation applies', async () => {
    await t.client.send(new CreateFieldCommand({ domainId, name: 'unique', type: 'Text' }));
    await assertConflict(t.client.send(new CreateFieldCommand({ domainId, name: 'unique', type: 'Number' })), /unique/);
    await assertConflict(t.client.send(new CreateFieldCommand({ domainId, name: 'Title', type: 'Text' })), /Title/);
    await assertValidation(t.client.send(new CreateFieldCommand({ domainId, name: 'x', type: 'Colour' as any })), /at 'type'.*enum/);
    await assertValidation(t.client.send(new CreateFieldCommand({ domainId, name: 'x'.repeat(101), type: 'Text' })), /at 'name'/);
    await assertNotFound(t.client.send(new CreateFieldCommand({ domainId: 'nope', name: 'x', type: 'Text' })), /Domain/);
  });

  test('UpdateField renames and re-describes custom fields only', async () => {
    const fieldId = (await t.client.send(new CreateFieldCommand({ domainId, name: 'before', type: 'Text', description: 'd1' }))).fieldId!;
    await t.client.send(new UpdateFieldCommand({ domainId, fieldId, name: 'after' }));
    let f = (await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: fieldId }] }))).fields![0];
    assert.equal(f.name, 'after');
    assert.equal(f.description, 'd1', 'a member left out keeps its value');
    assert.ok(f.lastModifiedTime!.getTime() >= f.createdTime!.getTime());
    await t.client.send(new UpdateFieldCommand({ domainId, fieldId, description: 'd2' }));
    f = (await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: fieldId }] }))).fields![0];
    assert.deepEqual([f.name, f.description], ['after', 'd2']);
    // The old name is free again, the new one is taken; keeping one's own name is no conflict.
    await t.client.send(new CreateFieldCommand({ domainId, name: 'before', type: 'Text' }));
    await assertConflict(t.client.send(new UpdateFieldCommand({ domainId, fieldId, name: 'before' })), /before/);
    await t.client.send(new UpdateFieldCommand({ domainId, fieldId, name: 'after' }));

    await assertValidation(t.client.send(new UpdateFieldCommand({ domainId, fieldId: 'title', name: 'Headline' })), /System field title/);
    await assertValidation(t.client.send(new UpdateFieldCommand({ domainId, fieldId: 'summary', description: 'x' })), /System field/);
    await assertValidation(t.client.send(new UpdateFieldCommand({ domainId, fieldId })), /at least one/);
    await assertValidation(
      t.client.send(new UpdateFieldCommand({ domainId, fieldId: 'status', attributes: { text: { isMultiline: true } } })),
      /System field/,
    );
    await assertNotFound(t.client.send(new UpdateFieldCommand({ domainId, fieldId: 'missing', name: 'x' })), /Field missing/);
  });

  test('DeleteField is soft: BatchGetField still answers, ListFields omits, changes are refused', async () => {
    const fieldId = (await t.client.send(new CreateFieldCommand({ domainId, name: 'doomed', type: 'Text' }))).fieldId!;
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId }));
    const got = await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: fieldId }] }));
    assert.equal(got.fields![0].deleted, true);
    assert.equal(got.fields![0].name, 'doomed');
    assert.ok(!(await allFields(t, domainId)).some((f) => f.fieldId === fieldId));
    await assertValidation(t.client.send(new UpdateFieldCommand({ domainId, fieldId, name: 'revived' })), /deleted/);
    await assertValidation(t.client.send(new DeleteFieldCommand({ domainId, fieldId })), /already been deleted/);
    // A deleted field's name may be reused.
    await t.client.send(new CreateFieldCommand({ domainId, name: 'doomed', type: 'Number' }));

    await assertValidation(t.client.send(new DeleteFieldCommand({ domainId, fieldId: 'status' })), /System field status cannot be deleted/);
    await assertNotFound(t.client.send(new DeleteFieldCommand({ domainId, fieldId: 'missing' })), /Field missing/);
  });

  test('BatchGetField reports unknown ids in errors, answers repeated ids once', async () => {
    const got = await t.client.send(
      new BatchGetFieldCommand({ domainId, fields: [{ id: 'title' }, { id: 'nope' }, { id: 'title' }] }),
    );
    assert.deepEqual(
      got.fields!.map((f) => f.fieldId),
      ['title'],
    );
    assert.equal(got.fields![0].namespace, 'System');
    assert.equal(got.errors!.length, 1);
    assert.equal(got.errors![0].id, 'nope');
    assert.equal(got.errors![0].errorCode, 'ResourceNotFoundException');
    assert.match(got.errors![0].message!, /nope/);
    await assertValidation(t.client.send(new BatchGetFieldCommand({ domainId, fields: [] })), /fields/);
    await assertNotFound(t.client.send(new BatchGetFieldCommand({ domainId: 'nope', fields: [{ id: 'title' }] })), /Domain/);
  });

  test('the fields-per-domain quota counts live fields', async () => {
    const d = (await t.client.send(new CreateDomainCommand({ name: 'quota' }))).domainId!;
    let last = '';
    for (let i = 0; i < 20; i++) last = (await t.client.send(new CreateFieldCommand({ domainId: d, name: `q${i}`, type: 'Text' }))).fieldId!;
    await assertQuota(t.client.send(new CreateFieldCommand({ domainId: d, name: 'one-too-many', type: 'Text' })), /maximum of \d+ fields/);
    await t.client.send(new DeleteFieldCommand({ domainId: d, fieldId: last }));
    await t.client.send(new CreateFieldCommand({ domainId: d, name: 'one-too-many', type: 'Text' }));
  });
});

describe('field pagination and isolation', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('walking all pages returns every live field once; tokens are bound to the listing', async () => {
    const domainId = (await t.client.send(new CreateDomainCommand({ name: 'pages' }))).domainId!;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await t.client.send(new CreateFieldCommand({ domainId, name: `p${i}`, type: 'Text' }))).fieldId!);
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: ids[3] }));
    const seen = (await allFields(t, domainId)).map((f) => f.fieldId!);
    assert.deepEqual(seen, [...SYSTEM_FIELDS.map((f) => f.id), ...ids.filter((_, i) => i !== 3)]);

    const first = await t.client.send(new ListFieldsCommand({ domainId, maxResults: 5 }));
    assert.equal(first.fields!.length, 5);
    const other = (await t.client.send(new CreateDomainCommand({ name: 'pages2' }))).domainId!;
    await assertValidation(t.client.send(new ListFieldsCommand({ domainId: other, nextToken: first.nextToken })), /nextToken/);
    await assertValidation(t.client.send(new ListFieldsCommand({ domainId, maxResults: 101 })), /maxResults/);
    await assertNotFound(t.client.send(new ListFieldsCommand({ domainId: 'nope' })), /Domain/);
  });

  test('another account sees neither the domain nor its fields', async () => {
    const domainId = (await t.client.send(new CreateDomainCommand({ name: 'mine' }))).domainId!;
    const fieldId = (await t.client.send(new CreateFieldCommand({ domainId, name: 'secret', type: 'Text' }))).fieldId!;
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new ListFieldsCommand({ domainId })), /Domain/);
      await assertNotFound(other.send(new BatchGetFieldCommand({ domainId, fields: [{ id: fieldId }] })), /Domain/);
      await assertNotFound(other.send(new CreateFieldCommand({ domainId, name: 'x', type: 'Text' })), /Domain/);
      await assertNotFound(other.send(new UpdateFieldCommand({ domainId, fieldId, name: 'x' })), /Domain/);
      await assertNotFound(other.send(new DeleteFieldCommand({ domainId, fieldId })), /Domain/);
    } finally {
      other.destroy();
    }
    const mine = await t.client.send(new BatchGetFieldCommand({ domainId, fields: [{ id: fieldId }] }));
    assert.equal(mine.fields![0].deleted, false);
  });
});
