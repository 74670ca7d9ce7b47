import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  DeleteFieldCommand,
  DeleteLayoutCommand,
  GetLayoutCommand,
  ListLayoutsCommand,
  UpdateLayoutCommand,
  paginateListLayouts,
  type LayoutContent,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';

const content = (top: string[], more: string[] = []): LayoutContent => ({
  basic: {
    topPanel: { sections: [{ fieldGroup: { name: 'Top', fields: top.map((id) => ({ id })) } }] },
    moreInfo: { sections: [{ fieldGroup: { name: 'More', fields: more.map((id) => ({ id })) } }] },
  },
});

describe('layouts', () => {
  let t: TestServer;
  let domainId: string;
  let custom: string;
  before(async () => {
    t = await startTestServer({ quotas: { layoutsPerDomain: 25, fieldsPerDomain: 200 } });
    domainId = (await t.client.send(new CreateDomainCommand({ name: 'layouts' }))).domainId!;
    custom = (await t.client.send(new CreateFieldCommand({ domainId, name: 'custom', type: 'Text' }))).fieldId!;
  });
  after(() => t.close());

  async function allLayouts(d = domainId) {
    const out = [];
    for await (const page of paginateListLayouts({ client: t.client, pageSize: 4 }, { domainId: d })) out.push(...page.layouts!);
    return out;
  }

  test('create, get and list a layout', async () => {
    const c = content(['customer_id', custom], ['summary']);
    const r = await t.client.send(new CreateLayoutCommand({ domainId, name: 'main', content: c }));
    assert.equal(r.layoutArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/layout/${r.layoutId}`);
    const got = await t.client.send(new GetLayoutCommand({ domainId, layoutId: r.layoutId }));
    assert.equal(got.name, 'main');
    assert.deepEqual(got.content, c);
    assert.equal(got.deleted, false);
    assert.deepEqual(got.tags, {});
    assert.ok(got.createdTime instanceof Date);
    assert.ok((await allLayouts()).some((l) => l.layoutId === r.layoutId && l.name === 'main' && l.layoutArn === r.layoutArn));
  });

  test('content is checked: unknown, deleted, title/status, duplicates, more than 100 fields', async () => {
    await assertValidation(
      t.client.send(new CreateLayoutCommand({ domainId, name: 'bad', content: content(['nope1', custom], ['nope2']) })),
      /unknown field ids: nope1, nope2/,
    );
    await assertValidation(t.client.send(new CreateLayoutCommand({ domainId, name: 'bad', content: content(['title']) })), /title.*cannot be placed/);
    await assertValidation(t.client.send(new CreateLayoutCommand({ domainId, name: 'bad', content: content([], ['status']) })), /status/);
    await assertValidation(t.client.send(new CreateLayoutCommand({ domainId, name: 'bad', content: content([custom], [custom]) })), /more than once/);
    const gone = (await t.client.send(new CreateFieldCommand({ domainId, name: 'gone', type: 'Text' }))).fieldId!;
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId: gone }));
    await assertValidation(t.client.send(new CreateLayoutCommand({ domainId, name: 'bad', content: content([gone]) })), /deleted field ids: /);

    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push((await t.client.send(new CreateFieldCommand({ domainId, name: `many${i}`, type: 'Text' }))).fieldId!);
    await assertValidation(
      t.client.send(new CreateLayoutCommand({ domainId, name: 'big', content: content(ids.slice(0, 60), ids.slice(60)) })),
      /at most 100 fields/,
    );
    await t.client.send(new CreateLayoutCommand({ domainId, name: 'big', content: content(ids.slice(0, 60), ids.slice(60, 100)) }));
    // Spec constraints are enforced before the handler.
    await assertValidation(t.client.send(new CreateLayoutCommand({ domainId, name: 'x', content: {} as any })), /Union must have exactly one member/);
    await assertValidation(
      t.client.send(
        new CreateLayoutCommand({
          domainId,
          name: 'x',
          content: { basic: { topPanel: { sections: [{ fieldGroup: { fields: [] } }, { fieldGroup: { fields: [] } }] } } },
        }),
      ),
      /sections/,
    );
  });

  test('GetLayout leaves out deleted fields', async () => {
    const fieldId = (await t.client.send(new CreateFieldCommand({ domainId, name: 'transient', type: 'Number' }))).fieldId!;
    const layoutId = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'with-transient', content: content([custom, fieldId]) }))).layoutId!;
    await t.client.send(new DeleteFieldCommand({ domainId, fieldId }));
    const got = await t.client.send(new GetLayoutCommand({ domainId, layoutId }));
    assert.deepEqual(got.content, content([custom]));
  });

  test('UpdateLayout changes name and content; names stay unique', async () => {
    const layoutId = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'u1', content: content([custom]) }))).layoutId!;
    await t.client.send(new CreateLayoutCommand({ domainId, name: 'u2', content: content([]) }));
    await assertConflict(t.client.send(new CreateLayoutCommand({ domainId, name: 'u1', content: content([]) })), /u1/);
    await assertConflict(t.client.send(new UpdateLayoutCommand({ domainId, layoutId, name: 'u2' })), /u2/);
    await t.client.send(new UpdateLayoutCommand({ domainId, layoutId, name: 'u1-renamed' }));
    let got = await t.client.send(new GetLayoutCommand({ domainId, layoutId }));
    assert.equal(got.name, 'u1-renamed');
    assert.deepEqual(got.content, content([custom]), 'content left out is kept');
    await t.client.send(new UpdateLayoutCommand({ domainId, layoutId, content: content(['summary'], [custom]) }));
    got = await t.client.send(new GetLayoutCommand({ domainId, layoutId }));
    assert.deepEqual(got.content, content(['summary'], [custom]));
    assert.equal(got.name, 'u1-renamed');
    await assertValidation(t.client.send(new UpdateLayoutCommand({ domainId, layoutId, content: content(['nope']) })), /unknown field ids: nope/);
    await assertValidation(t.client.send(new UpdateLayoutCommand({ domainId, layoutId, content: content(['status']) })), /status/);
    await assertValidation(t.client.send(new UpdateLayoutCommand({ domainId, layoutId })), /at least one/);
    await assertNotFound(t.client.send(new UpdateLayoutCommand({ domainId, layoutId: 'missing', name: 'x' })), /Layout missing/);
  });

  test('DeleteLayout is soft: Get answers with deleted, List omits, Update fails, the name is free', async () => {
    const layoutId = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'doomed', content: content([custom]) }))).layoutId!;
    await t.client.send(new DeleteLayoutCommand({ domainId, layoutId }));
    const got = await t.client.send(new GetLayoutCommand({ domainId, layoutId }));
    assert.equal(got.deleted, true);
    assert.equal(got.name, 'doomed');
    assert.ok(!(await allLayouts()).some((l) => l.layoutId === layoutId));
    await assertValidation(t.client.send(new UpdateLayoutCommand({ domainId, layoutId, name: 'x' })), /deleted/);
    await assertValidation(t.client.send(new DeleteLayoutCommand({ domainId, layoutId })), /already been deleted/);
    await t.client.send(new CreateLayoutCommand({ domainId, name: 'doomed', content: content([]) }));
    await assertNotFound(t.client.send(new DeleteLayoutCommand({ domainId, layoutId: 'missing' })), /Layout missing/);
    await assertNotFound(t.client.send(new GetLayoutCommand({ domainId, layoutId: 'missing' })), /Layout missing/);
  });

  test('layouts-per-domain quota, pagination and tokens bound to the domain', async () => {
    const d = (await t.client.send(new CreateDomainCommand({ name: 'layout-quota' }))).domainId!;
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await t.client.send(new CreateLayoutCommand({ domainId: d, name: `l${i}`, content: content([]) }))).layoutId!);
    await assertQuota(t.client.send(new CreateLayoutCommand({ domainId: d, name: 'extra', content: content([]) })), /maximum of 25 layouts/);
    await t.client.send(new DeleteLayoutCommand({ domainId: d, layoutId: ids[0] }));
    ids.push((await t.client.send(new CreateLayoutCommand({ domainId: d, name: 'extra', content: content([]) }))).layoutId!);
    assert.deepEqual(
      (await allLayouts(d)).map((l) => l.layoutId),
      ids.slice(1),
    );
    const page = await t.client.send(new ListLayoutsCommand({ domainId: d, maxResults: 2 }));
    assert.equal(page.layouts!.length, 2);
    await assertValidation(t.client.send(new ListLayoutsCommand({ domainId, nextToken: page.nextToken })), /nextToken/);
    await assertNotFound(t.client.send(new ListLayoutsCommand({ domainId: 'nope' })), /Domain/);
  });

  test('another account sees no layouts', async () => {
    const layoutId = (await t.client.send(new CreateLayoutCommand({ domainId, name: 'private', content: content([]) }))).layoutId!;
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new GetLayoutCommand({ domainId, layoutId })), /Domain/);
      await assertNotFound(other.send(new ListLayoutsCommand({ domainId })), /Domain/);
      await assertNotFound(other.send(new CreateLayoutCommand({ domainId, name: 'x', content: content([]) })), /Domain/);
      await assertNotFound(other.send(new UpdateLayoutCommand({ domainId, layoutId, name: 'x' })), /Domain/);
      await assertNotFound(other.send(new DeleteLayoutCommand({ domainId, layoutId })), /Domain/);
    } finally {
      other.destroy();
    }
    assert.equal((await t.client.send(new GetLayoutCommand({ domainId, layoutId }))).name, 'private');
  });
});
