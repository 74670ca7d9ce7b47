import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateFieldCommand,
  CreateRelatedItemCommand,
  DeleteCaseCommand,
  DeleteFieldCommand,
  DeleteRelatedItemCommand,
  GetCaseAuditEventsCommand,
  SearchAllRelatedItemsCommand,
  SearchRelatedItemsCommand,
  UpdateRelatedItemCommand,
  type AuditEvent,
  type FieldValue,
  type RelatedItemInputContent,
  type RelatedItemType,
  type UserUnion,
} from '@aws-sdk/client-connectcases';
import { awsCli } from './support/aws-cli.js';
import { assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';
import { USER_A, USER_B, caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';
import { INSTANCE_ARN, contactArn, fileArn } from './support/related-items-fixture.js';

const INSTANCE = INSTANCE_ARN;

describe('related items', () => {
  let t: TestServer;
  let x: CaseFixture;
  let clock = Date.parse('2025-06-01T08:00:00.000Z');
  /** Moves the server clock one minute on and returns the new time. */
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };
  before(async () => {
    t = await startTestServer({ now: () => new Date(clock) });
    x = await caseFixture(t.client, 'related');
  });
  after(() => t.close());

  const newCase = async () =>
    (await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('A case'))] }))).caseId!;
  const create = (caseId: string, type: RelatedItemType, content: RelatedItemInputContent, performedBy?: UserUnion) =>
    t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type, content, performedBy }));
  const update = (caseId: string, relatedItemId: string, content: any, performedBy?: UserUnion) =>
    t.client.send(new UpdateRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId, content, performedBy }));
  const remove = (caseId: string, relatedItemId: string) => t.client.send(new DeleteRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId }));
  const items = async (caseId: string) =>
    (await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId }))).relatedItems!.map((i) => i!);
  const events = async (caseId: string) =>
    (await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }))).auditEvents!.map((e) => e!);
  const itemEvents = async (caseId: string) => (await events(caseId)).filter((e) => e.type!.startsWith('RelatedItem.'));
  const plain = (e: AuditEvent) => ({
    type: e.type,
    relatedItemType: e.relatedItemType,
    performedTime: e.performedTime!.toISOString(),
    fields: e.fields,
    user: e.performedBy?.user,
  });
  const comment = (body: string): RelatedItemInputContent => ({ comment: { body, contentType: 'Text/Plain' } });

  test('a comment is created, served, updated and deleted, each with its audit event', async () => {
    const caseId = await newCase();
    const createdAt = tick();
    const { relatedItemId, relatedItemArn } = await create(caseId, 'Comment', comment('First look'), { userArn: USER_A });
    assert.match(relatedItemId!, /^[0-9a-f-]{36}$/);
    assert.equal(relatedItemArn, `arn:aws:cases:us-east-1:000000000000:domain/${x.domainId}/case/${caseId}/related-item/${relatedItemId}`);

    const [served] = await items(caseId);
    assert.equal(served.relatedItemId, relatedItemId);
    assert.equal(served.type, 'Comment');
    assert.equal(served.associationTime!.toISOString(), createdAt);
    assert.deepEqual(served.content, { comment: { body: 'First look', contentType: 'Text/Plain' } });
    assert.deepEqual(served.performedBy, { userArn: USER_A });

    const updatedAt = tick();
    const updated = await update(caseId, relatedItemId!, { comment: { body: 'Second look', contentType: 'Text/Plain' } }, { userArn: USER_B });
    assert.equal(updated.relatedItemId, relatedItemId);
    assert.equal(updated.relatedItemArn, relatedItemArn);
    assert.equal(updated.type, 'Comment');
    assert.deepEqual(updated.content, { comment: { body: 'Second look', contentType: 'Text/Plain' } });
    assert.equal(updated.associationTime!.toISOString(), createdAt, 'an update keeps the association time');
    assert.deepEqual(updated.createdBy, { userArn: USER_A });
    assert.deepEqual(updated.lastUpdatedUser, { userArn: USER_B });
    assert.deepEqual((await items(caseId))[0].content, { comment: { body: 'Second look', contentType: 'Text/Plain' } });

    const deletedAt = tick();
    await remove(caseId, relatedItemId!);
    assert.deepEqual(await items(caseId), []);
    await assertNotFound(remove(caseId, relatedItemId!), /RelatedItem/);

    // Newest first.
    const [deleted, changed, created] = await itemEvents(caseId);
    assert.deepEqual(plain(created), {
      type: 'RelatedItem.Created',
      relatedItemType: 'Comment',
      performedTime: createdAt,
      fields: [
        { eventFieldId: 'body', newValue: str('First look') },
        { eventFieldId: 'contentType', newValue: str('Text/Plain') },
      ],
      user: { userArn: USER_A },
    });
    assert.deepEqual(plain(changed), {
      type: 'RelatedItem.Updated',
      relatedItemType: 'Comment',
      performedTime: updatedAt,
      fields: [{ eventFieldId: 'body', oldValue: str('First look'), newValue: str('Second look') }],
      user: { userArn: USER_B },
    });
    assert.deepEqual(plain(deleted), {
      type: 'RelatedItem.Deleted',
      relatedItemType: 'Comment',
      performedTime: deletedAt,
      fields: [
        { eventFieldId: 'body', oldValue: str('Second look'), newValue: { emptyValue: {} } },
        { eventFieldId: 'contentType', oldValue: str('Text/Plain'), newValue: { emptyValue: {} } },
      ],
      user: undefined,
    });
    assert.equal(created.performedBy!.iamPrincipalArn, 'arn:aws:iam::000000000000:user/AKIDTEST');
  });

  test('comment bounds: 1 to 15000 characters, Text/Plain only; audit values are cut at 4100 characters', async () => {
    const caseId = await newCase();
    await assertValidation(create(caseId, 'Comment', comment('')), /comment\.body.*length greater than or equal to 1/);
    await assertValidation(create(caseId, 'Comment', comment('x'.repeat(15001))), /comment\.body.*length less than or equal to 15000/);
    await assertValidation(create(caseId, 'Comment', { comment: { body: 'x', contentType: 'text/html' as any } }), /contentType/);
    await create(caseId, 'Comment', comment('y'.repeat(15000)));
    const [created] = await itemEvents(caseId);
    assert.equal(created.fields![0]!.newValue!.stringValue!.length, 4100);
    assert.equal((await items(caseId))[0].content!.comment!.body!.length, 15000);
  });

  test('the type must match the content member, and content must hold exactly one member', async () => {
    const caseId = await newCase();
    await assertValidation(create(caseId, 'Contact', comment('hi')), /type Contact takes content\.contact, not content\.comment/);
    await assertValidation(create(caseId, 'Comment', {} as any), /Union must have exactly one member set/);
    await assertValidation(create(caseId, 'Bogus' as any, comment('hi')), /type.*enum/i);
  });

  test('a contact needs a Connect contact ARN; channel and connection time default to VOICE and the association time', async () => {
    const caseId = await newCase();
    for (const bad of [
      'not-an-arn',
      `${INSTANCE}/file/abc`,
      'arn:aws:connect:us-east-1:12345:instance/i/contact/c',
      'arn:aws:cases:us-east-1:123456789012:instance/i/contact/c',
    ]) {
      await assertValidation(create(caseId, 'Contact', { contact: { contactArn: bad } }), /content\.contact\.contactArn .* is not an Amazon Connect contact ARN/);
    }
    const at = tick();
    const { relatedItemId } = await create(caseId, 'Contact', { contact: { contactArn: contactArn(1) } });
    const [served] = await items(caseId);
    assert.equal(served.relatedItemId, relatedItemId);
    assert.equal(served.content!.contact!.contactArn, contactArn(1));
    assert.equal(served.content!.contact!.channel, 'VOICE');
    assert.equal(served.content!.contact!.connectedToSystemTime!.toISOString(), at);
    assert.equal(served.performedBy, undefined);
    const [created] = await itemEvents(caseId);
    assert.deepEqual(created.fields, [
      { eventFieldId: 'contactArn', newValue: str(contactArn(1)) },
      { eventFieldId: 'channel', newValue: str('VOICE') },
      { eventFieldId: 'connectedToSystemTime', newValue: str(at) },
    ]);
    await assertValidation(update(caseId, relatedItemId!, { comment: { body: 'x', contentType: 'Text/Plain' } }), /of type Contact; only Comment and Custom/);
  });

  test('a file needs a Connect attached-file ARN, and cannot be deleted or updated through the Cases API', async () => {
    const caseId = await newCase();
    await assertValidation(create(caseId, 'File', { file: { fileArn: contactArn(2) } }), /content\.file\.fileArn .* is not an Amazon Connect attached-file ARN/);
    const { relatedItemId } = await create(caseId, 'File', { file: { fileArn: fileArn(1) } });
    assert.deepEqual((await items(caseId))[0].content, { file: { fileArn: fileArn(1) } });
    const [created] = await itemEvents(caseId);
    assert.equal(created.relatedItemType, 'File');
    assert.deepEqual(created.fields, [{ eventFieldId: 'fileArn', newValue: str(fileArn(1)) }]);
    await assertValidation(remove(caseId, relatedItemId!), /is a File; files are deleted with Amazon Connect's DeleteAttachedFile/);
    await assertValidation(update(caseId, relatedItemId!, { comment: { body: 'x', contentType: 'Text/Plain' } }), /of type File/);
    assert.equal((await items(caseId)).length, 1, 'the file is still there');
  });

  test('a linked case must be another existing case of the same domain', async () => {
    const caseId = await newCase();
    const other = await newCase();
    const { relatedItemId } = await create(caseId, 'ConnectCase', { connectCase: { caseId: other } });
    assert.deepEqual((await items(caseId))[0].content, { connectCase: { caseId: other } });
    await assertValidation(create(caseId, 'ConnectCase', { connectCase: { caseId: 'no-such-case' } }), /caseId 'no-such-case' names no case of this domain/);
    await assertValidation(create(caseId, 'ConnectCase', { connectCase: { caseId } }), /cannot be linked to itself/);
    const otherDomain = await caseFixture(t.client, 'related-other');
    const foreign = (await t.client.send(new CreateCaseCommand({ domainId: otherDomain.domainId, templateId: otherDomain.template, fields: [fv('title', str('x'))] })))
      .caseId!;
    await assertValidation(create(caseId, 'ConnectCase', { connectCase: { caseId: foreign } }), /names no case of this domain/);
    await assertValidation(update(caseId, relatedItemId!, { comment: { body: 'x', contentType: 'Text/Plain' } }), /of type ConnectCase/);
    await remove(caseId, relatedItemId!);
    assert.deepEqual(await items(caseId), []);
    const [deleted, created] = await itemEvents(caseId);
    assert.deepEqual([created.type, created.relatedItemType, created.fields], ['RelatedItem.Created', 'ConnectCase', [{ eventFieldId: 'caseId', newValue: str(other) }]]);
    assert.deepEqual([deleted.type, deleted.fields], ['RelatedItem.Deleted', [{ eventFieldId: 'caseId', oldValue: str(other), newValue: { emptyValue: {} } }]]);
  });

  test('a custom item holds valid values of custom fields; an update replaces the whole set', async () => {
    const caseId = await newCase();
    const created = tick();
    const fields: FieldValue[] = [fv(x.f.notes, str('order 17')), fv(x.f.amount, { doubleValue: 3 }), fv(x.f.due, str('2025-07-01T10:00:00+02:00'))];
    const { relatedItemId } = await create(caseId, 'Custom', { custom: { fields } });
    assert.deepEqual((await items(caseId))[0].content, {
      custom: { fields: [fv(x.f.notes, str('order 17')), fv(x.f.amount, { doubleValue: 3 }), fv(x.f.due, str('2025-07-01T08:00:00.000Z'))] },
    });

    const updatedAt = tick();
    const updated = await update(caseId, relatedItemId!, { custom: { fields: [fv(x.f.amount, { doubleValue: 4 }), fv(x.f.vip, { booleanValue: true })] } });
    assert.deepEqual(updated.content, { custom: { fields: [fv(x.f.amount, { doubleValue: 4 }), fv(x.f.vip, { booleanValue: true })] } });
    assert.deepEqual((await items(caseId))[0].content, updated.content, 'fields left out are removed');

    const [changed, first] = await itemEvents(caseId);
    assert.deepEqual(plain(first), {
      type: 'RelatedItem.Created',
      relatedItemType: 'Custom',
      performedTime: created,
      fields: [
        { eventFieldId: x.f.notes, newValue: str('order 17') },
        { eventFieldId: x.f.amount, newValue: { doubleValue: 3 } },
        { eventFieldId: x.f.due, newValue: str('2025-07-01T08:00:00.000Z') },
      ],
      user: undefined,
    });
    assert.deepEqual(plain(changed), {
      type: 'RelatedItem.Updated',
      relatedItemType: 'Custom',
      performedTime: updatedAt,
      fields: [
        { eventFieldId: x.f.notes, oldValue: str('order 17'), newValue: { emptyValue: {} } },
        { eventFieldId: x.f.amount, oldValue: { doubleValue: 3 }, newValue: { doubleValue: 4 } },
        { eventFieldId: x.f.due, oldValue: str('2025-07-01T08:00:00.000Z'), newValue: { emptyValue: {} } },
        { eventFieldId: x.f.vip, oldValue: { emptyValue: {} }, newValue: { booleanValue: true } },
      ],
      user: undefined,
    });

    // An update that changes nothing records nothing.
    await update(caseId, relatedItemId!, { custom: { fields: [fv(x.f.amount, { doubleValue: 4 }), fv(x.f.vip, { booleanValue: true })] } });
    assert.equal((await itemEvents(caseId)).length, 2);
    await assertValidation(update(caseId, relatedItemId!, { comment: { body: 'x', contentType: 'Text/Plain' } }), /is a Custom; it cannot be updated with content\.comment/);
  });

  test('custom item values are checked like case values, and system, unknown or deleted fields are refused', async () => {
    const caseId = await newCase();
    const custom = (...fields: FieldValue[]) => create(caseId, 'Custom', { custom: { fields } });
    await assertValidation(custom(fv('title', str('x'))), /field title is a system field; Custom related items take custom fields only/);
    await assertValidation(custom(fv('no-such-field', str('x'))), /field no-such-field does not exist/);
    await assertValidation(custom(fv(x.f.amount, str('3'))), new RegExp(`field ${x.f.amount}: a Number field takes doubleValue, not stringValue`));
    await assertValidation(custom(fv(x.f.priority, str('old'))), /option 'old' is inactive/);
    await assertValidation(custom(fv(x.f.notes, str('x'.repeat(501)))), /more than the limit of 500/);
    await assertValidation(custom(fv(x.f.notes, str('a')), fv(x.f.notes, str('b'))), /given more than once/);
    await assertValidation(custom(fv(x.f.due, str('tomorrow'))), /ISO-8601/);
    const { fieldId } = await t.client.send(new CreateFieldCommand({ domainId: x.domainId, name: 'Doomed', type: 'Text' }));
    await t.client.send(new DeleteFieldCommand({ domainId: x.domainId, fieldId }));
    await assertValidation(custom(fv(fieldId!, str('x'))), /has been deleted/);
    // Every problem is reported in one answer.
    await assertValidation(custom(fv('title', str('x')), fv('nope', str('y'))), /title is a system field.*nope does not exist/);
    const { relatedItemId } = await custom(fv(x.f.notes, str('ok')));
    await assertValidation(update(caseId, relatedItemId!, { custom: { fields: [fv('summary', str('x'))] } }), /system field/);
    assert.deepEqual((await items(caseId))[0].content, { custom: { fields: [fv(x.f.notes, str('ok'))] } }, 'a refused update changes nothing');
  });

  test('a custom update keeps values that became unusable only where the item already holds them', async () => {
    const caseId = await newCase();
    const { fieldId: size } = await t.client.send(new CreateFieldCommand({ domainId: x.domainId, name: 'Size', type: 'SingleSelect' }));
    const { fieldId: legacy } = await t.client.send(new CreateFieldCommand({ domainId: x.domainId, name: 'Legacy', type: 'Text' }));
    const options = (active: boolean) =>
      t.client.send(new BatchPutFieldOptionsCommand({ domainId: x.domainId, fieldId: size, options: [{ name: 'S', value: 's', active }, { name: 'M', value: 'm', active }] }));
    await options(true);
    const { relatedItemId } = await create(caseId, 'Custom', { custom: { fields: [fv(size!, str('s')), fv(legacy!, str('old'))] } });
    await options(false);
    await t.client.send(new DeleteFieldCommand({ domainId: x.domainId, fieldId: legacy }));

    const kept = await update(caseId, relatedItemId!, { custom: { fields: [fv(size!, str('s')), fv(legacy!, str('changed')), fv(x.f.notes, str('new'))] } });
    assert.deepEqual(kept.content, { custom: { fields: [fv(size!, str('s')), fv(legacy!, str('changed')), fv(x.f.notes, str('new'))] } });
    await assertValidation(update(caseId, relatedItemId!, { custom: { fields: [fv(size!, str('m'))] } }), /option 'm' is inactive/);
    await update(caseId, relatedItemId!, { custom: { fields: [fv(x.f.notes, str('only'))] } });
    await assertValidation(update(caseId, relatedItemId!, { custom: { fields: [fv(legacy!, str('back'))] } }), new RegExp(`field ${legacy} has been deleted`));
    await assertValidation(create(caseId, 'Custom', { custom: { fields: [fv(size!, str('s'))] } }), /option 's' is inactive/);
  });

  test('a custom item holds at most 5 fields', async () => {
    const caseId = await newCase();
    const five = [x.f.notes, x.f.details, x.f.amount, x.f.vip, x.f.link].map((id, i) =>
      fv(id, id === x.f.amount ? { doubleValue: i } : id === x.f.vip ? { booleanValue: true } : id === x.f.link ? str('https://example.com') : str('v')),
    );
    const { relatedItemId } = await create(caseId, 'Custom', { custom: { fields: five } });
    const six = [...five, fv(x.f.priority, str('high'))];
    await assertQuota(create(caseId, 'Custom', { custom: { fields: six } }), /at most 5 fields; the request has 6/);
    await assertQuota(update(caseId, relatedItemId!, { custom: { fields: six } }), /at most 5 fields/);
  });

  test('missing domain, case or item are not found; another account sees nothing', async () => {
    const caseId = await newCase();
    await assertNotFound(t.client.send(new CreateRelatedItemCommand({ domainId: 'no-domain', caseId, type: 'Comment', content: comment('x') })), /Domain/);
    await assertNotFound(t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId: 'no-case', type: 'Comment', content: comment('x') })), /Case no-case/);
    await assertNotFound(update(caseId, 'no-item', { comment: { body: 'x', contentType: 'Text/Plain' } }), /RelatedItem no-item/);
    await assertNotFound(remove(caseId, 'no-item'), /RelatedItem no-item/);
    await assertNotFound(t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: 'no-case' })), /Case/);
    const { relatedItemId } = await create(caseId, 'Comment', comment('x'));
    // An item is addressed through its own case only.
    const other = await newCase();
    await assertNotFound(remove(other, relatedItemId!), /RelatedItem/);
    const stranger = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    await assertNotFound(stranger.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId })), /Domain/);
    await assertNotFound(stranger.send(new DeleteRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId })), /Domain/);
    stranger.destroy();
  });

  test('performedBy.userArn must be a user ARN', async () => {
    const caseId = await newCase();
    await assertValidation(create(caseId, 'Comment', comment('x'), { userArn: 'someone' }), /performedBy\.userArn/);
    await create(caseId, 'Comment', comment('x'), { customEntity: 'bot-7' });
    assert.deepEqual((await items(caseId))[0].performedBy, { customEntity: 'bot-7' });
  });

  test('a case takes its related items with it when it is deleted', async () => {
    const caseId = await newCase();
    await create(caseId, 'Comment', comment('gone soon'));
    await create(caseId, 'Contact', { contact: { contactArn: contactArn(99) } });
    await t.client.send(new DeleteCaseCommand({ domainId: x.domainId, caseId }));
    const all = await t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, filters: [{ contact: { contactArn: contactArn(99) } }] }));
    assert.deepEqual(all.relatedItems, []);
  });
});

describe('related item quotas', () => {
  let t: TestServer;
  let domainId: string;
  let templateId: string;
  before(async () => {
    t = await startTestServer({ quotas: { relatedItemsPerCase: 6, slasPerCase: 2, filesPerCase: 2 } });
    const x = await caseFixture(t.client, 'quotas');
    domainId = x.domainId;
    templateId = x.template;
  });
  after(() => t.close());

  const newCase = async () => (await t.client.send(new CreateCaseCommand({ domainId, templateId, fields: [fv('title', str('q'))] }))).caseId!;
  const create = (caseId: string, type: RelatedItemType, content: RelatedItemInputContent) =>
    t.client.send(new CreateRelatedItemCommand({ domainId, caseId, type, content }));
  const sla = (name: string): RelatedItemInputContent => ({
    sla: { slaInputConfiguration: { name, type: 'CaseField', fieldId: 'status', targetFieldValues: [str('closed')], targetSlaMinutes: 60 } },
  });

  test('related items, SLAs and files per case are limited', async () => {
    const caseId = await newCase();
    await create(caseId, 'File', { file: { fileArn: fileArn(1) } });
    await create(caseId, 'File', { file: { fileArn: fileArn(2) } });
    await assertQuota(create(caseId, 'File', { file: { fileArn: fileArn(3) } }), /maximum of 2 files/);
    await create(caseId, 'Sla', sla('a'));
    await create(caseId, 'Sla', sla('b'));
    await assertQuota(create(caseId, 'Sla', sla('c')), /maximum of 2 SLAs/);
    await create(caseId, 'Comment', { comment: { body: '5', contentType: 'Text/Plain' } });
    const { relatedItemId } = await create(caseId, 'Comment', { comment: { body: '6', contentType: 'Text/Plain' } });
    await assertQuota(create(caseId, 'Comment', { comment: { body: '7', contentType: 'Text/Plain' } }), /maximum of 6 related items/);
    // Deleting one makes room again; another case has its own quota.
    await t.client.send(new DeleteRelatedItemCommand({ domainId, caseId, relatedItemId }));
    await create(caseId, 'Comment', { comment: { body: '7', contentType: 'Text/Plain' } });
    await create(await newCase(), 'File', { file: { fileArn: fileArn(3) } });
  });
});

describe('contact directory', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-contacts-'));
    const file = join(dir, 'contacts.json');
    writeFileSync(file, JSON.stringify([{ contactArn: contactArn(5), channel: 'CHAT', connectedToSystemTime: '2025-05-01T10:00:00+02:00' }]));
    t = await startTestServer({ contactsFile: file });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('contacts listed in the --contacts file are served with their channel and connection time', async () => {
    const x = await caseFixture(t.client, 'contacts');
    const { caseId } = await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('c'))] }));
    await t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type: 'Contact', content: { contact: { contactArn: contactArn(5) } } }));
    await t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type: 'Contact', content: { contact: { contactArn: contactArn(6) } } }));
    const { relatedItems } = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId }));
    const [listed, unlisted] = relatedItems!.map((i) => i!.content!.contact!);
    assert.equal(listed.channel, 'CHAT');
    assert.equal(listed.connectedToSystemTime!.toISOString(), '2025-05-01T08:00:00.000Z');
    assert.equal(unlisted.channel, 'VOICE');
  });

  test('a malformed contacts file stops the server at start, naming the entry', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ contactArn: contactArn(1), channel: 'VOICE', connectedToSystemTime: '2025-01-01T00:00:00Z' }, { contactArn: 'x', channel: 'VOICE' }]));
    await assert.rejects(startTestServer({ contactsFile: file }), /entry 1: contactArn must be a contact ARN/);
    writeFileSync(file, '{"not": "an array"}');
    await assert.rejects(startTestServer({ contactsFile: file }), /must hold a JSON array/);
    await assert.rejects(startTestServer({ contactsFile: join(dir, 'missing.json') }), /cannot read the contacts file/);
  });
});

describe('related items through the AWS CLI', () => {
  let t: TestServer;
  let x: CaseFixture;
  before(async () => {
    t = await startTestServer();
    x = await caseFixture(t.client, 'related-cli');
  });
  after(() => t.close());

  const aws = (args: string[]) => awsCli(t.server.endpoint, args);

  test('create-related-item, search-related-items, search-all-related-items and list-cases-for-contact', async () => {
    const { caseId } = await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('cli'))] }));
    const base = ['--domain-id', x.domainId, '--case-id', caseId!];
    const sla = await aws([
      'create-related-item', ...base, '--type', 'Sla',
      '--content', JSON.stringify({ sla: { slaInputConfiguration: { name: 'Close', type: 'CaseField', fieldId: 'status', targetFieldValues: [{ stringValue: 'closed' }], targetSlaMinutes: 90 } } }),
    ]);
    assert.match(sla.relatedItemArn, new RegExp(`/case/${caseId}/related-item/${sla.relatedItemId}$`));
    await aws(['create-related-item', ...base, '--type', 'Contact', '--content', JSON.stringify({ contact: { contactArn: contactArn(7) } }), '--performed-by', `userArn=${USER_A}`]);

    const found = await aws(['search-related-items', ...base]);
    assert.deepEqual(found.relatedItems.map((i: any) => i.type), ['Sla', 'Contact']);
    const config = found.relatedItems[0].content.sla.slaConfiguration;
    assert.equal(config.status, 'Active');
    assert.equal(Date.parse(config.targetTime) - Date.parse(found.relatedItems[0].associationTime), 90 * 60_000);
    assert.equal(found.relatedItems[1].content.contact.channel, 'VOICE');
    assert.deepEqual(found.relatedItems[1].performedBy, { userArn: USER_A });

    const all = await aws(['search-all-related-items', '--domain-id', x.domainId, '--filters', JSON.stringify([{ contact: { contactArn: contactArn(7) } }])]);
    assert.deepEqual(all.relatedItems.map((i: any) => i.caseId), [caseId]);
    const cases = await aws(['list-cases-for-contact', '--domain-id', x.domainId, '--contact-arn', contactArn(7)]);
    assert.deepEqual(cases.cases, [{ caseId, templateId: x.template }]);
  });
});
