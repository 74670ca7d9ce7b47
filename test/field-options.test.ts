import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchPutFieldOptionsCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  DeleteFieldCommand,
  ListFieldOptionsCommand,
  paginateListFieldOptions,
  type FieldOption,
} from '@aws-sdk/client-connectcases';
import { assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';

describe('field options', () => {
  let t: TestServer;
  let domainId: string;
  before(async () => {
    t = await startTestServer({ quotas: { optionsPerField: 60 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'options' }))).domainId!;
  });
  after(() => t.close());

  const selectField = async (name: string) =>
    (await t.client.send(new CreateFieldCommand({ domainId, name, type: 'SingleSelect' }))).fieldId!;

  async function allOptions(fieldId: string, values?: string[]): Promise<FieldOption[]> {
    const out: FieldOption[] = [];
    for await (const page of paginateListFieldOptions({ client: t.client, pageSize: 3 }, { domainId, fieldId, values })) {
      out.push(...page.options!);
    }
    return out;
  }

  test('status has the fixed options open and closed', async () => {
    assert.deepEqual(await allOptions('status'), [
      { name: 'Open', value: 'open', active: true },
      { name: 'Closed', value: 'closed', active: true },
    ]);
  });

  test('options are created, then updated by value', async () => {
    const fieldId = await selectField('priority');
    const put = await t.client.send(
      new BatchPutFieldOptionsCommand({
        domainId,
        fieldId,
        options: [
          { name: 'High', value: 'high', active: true },
          { name: 'Low', value: 'low', active: true },
        ],
      }),
    );
    assert.deepEqual(put.errors, []);
    await t.client.send(
      new BatchPutFieldOptionsCommand({
        domainId,
        fieldId,
        options: [
          { name: 'Lowest', value: 'low', active: false },
          { name: 'Medium', value: 'medium', active: true },
        ],
      }),
    );
    assert.deepEqual(await allOptions(fieldId), [
      { name: 'High', value: 'high', active: true },
      { name: 'Lowest', value: 'low', active: false },
      { name: 'Medium', value: 'medium', active: true },
    ]);
    assert.deepEqual(await allOptions(fieldId, ['medium']), [{ name: 'Medium', value: 'medium', active: true }]);
    assert.deepEqual(await allOptions(fieldId, ['absent']), []);
  });

  test('problems of single options are reported per option; the rest is written', async () => {
    const put = await t.client.send(
      new BatchPutFieldOptionsCommand({
        domainId,
        fieldId: 'status',
        options: [
          { name: 'Open', value: 'open', active: false },
          { name: 'Waiting', value: 'waiting', active: true },
          { name: 'Bad', value: 'has space', active: true },
          { name: 'Again', value: 'waiting', active: true },
          { name: 'Closed (final)', value: 'closed', active: true },
        ],
      }),
    );
    assert.deepEqual(
      put.errors!.map((e) => [e.value, e.errorCode]),
      [
        ['open', 'ValidationException'],
        ['has space', 'ValidationException'],
        ['waiting', 'ValidationException'],
      ],
    );
    assert.match(put.errors![0].message!, /cannot be deactivated/);
    assert.match(put.errors![1].message!, /letters, digits, hyphens and underscores/);
    assert.match(put.errors![2].message!, /more than once/);
    assert.deepEqual(await allOptions('status'), [
      { name: 'Open', value: 'open', active: true },
      { name: 'Closed (final)', value: 'closed', active: true },
      { name: 'Waiting', value: 'waiting', active: true },
    ]);
    // Added status options, unlike open and closed, may be deactivated.
    const again = await t.client.send(
      new BatchPutFieldOptionsCommand({ domainId, fieldId: 'status', options: [{ name: 'Waiting', value: 'waiting', active: false }] }),
    );
    assert.deepEqual(again.errors, []);
    assert.equal((await allOptions('status', ['waiting']))[0].active, false);
  });

  test('only live SingleSelect fields take options', async () => {
    const text = (await t.client.send(new CreateFieldCommand({ domainId, name: 'plain', type: 'Text' }))).fieldId!;
    const option = [{ name: 'A', value: 'a', active: true }];
    await assertValidation(t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: text, options: option })), /SingleSelect/);
    const gone = await selectField('gone');
    await t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: gone, options: option }));
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: gone }));
    await assertValidation(t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: gone, options: option })), /deleted/);
    // The options of a deleted field can still be read: cases may hold them.
    assert.deepEqual(await allOptions(gone), option);
    await assertNotFound(t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: 'missing', options: option })), /Field missing/);
    await assertNotFound(t.client.send(new ListFieldOptionsCommand({ domainId, fieldId: 'missing' })), /Field missing/);
    await assertNotFound(t.client.send(new ListFieldOptionsCommand({ domainId: 'nope', fieldId: 'status' })), /Domain/);
  });

  test('spec constraints: at most 50 options per call, option members checked', async () => {
    const fieldId = await selectField('limits');
    const many = Array.from({ length: 51 }, (_, i) => ({ name: `o${i}`, value: `o${i}`, active: true }));
    await assertValidation(t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: many })), /options.*less than or equal to 50/);
    await assertValidation(
      t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: [{ name: 'x'.repeat(101), value: 'x', active: true }] })),
      /name/,
    );
    await assertValidation(
      t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: [{ name: 'x', value: 'x' } as any] })),
      /active.*must not be null/,
    );
    await assertValidation(t.client.send(new ListFieldOptionsCommand({ domainId, fieldId, values: ['a', 'b'] })), /values/);
  });

  test('the options-per-field quota fails the whole call; updates do not count', async () => {
    const fieldId = await selectField('quota');
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ name: `v${from + i}`, value: `v${from + i}`, active: true }));
    await t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: batch(0, 50) }));
    await assertQuota(t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: batch(45, 20) })), /maximum of 60/);
    assert.equal((await allOptions(fieldId)).length, 50, 'nothing of the refused call was written');
    await t.client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: batch(40, 20) }));
    const all = await allOptions(fieldId);
    assert.equal(all.length, 60);
    assert.deepEqual(
      all.map((o) => o.value),
      Array.from({ length: 60 }, (_, i) => `v${i}`),
      'pages walk every option once, in insertion order',
    );
    const first = await t.client.send(new ListFieldOptionsCommand({ domainId, fieldId, maxResults: 10 }));
    assert.equal(first.options!.length, 10);
    await assertValidation(t.client.send(new ListFieldOptionsCommand({ domainId, fieldId: 'status', nextToken: first.nextToken })), /nextToken/);
  });

  test('another account cannot read or write options', async () => {
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new ListFieldOptionsCommand({ domainId, fieldId: 'status' })), /Domain/);
      await assertNotFound(
        other.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: 'status', options: [{ name: 'X', value: 'x', active: true }] })),
        /Domain/,
      );
    } finally {
      other.destroy();
    }
    assert.equal((await allOptions('status', ['x'])).length, 0);
  });
});
