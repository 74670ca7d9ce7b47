import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  DeleteRelatedItemCommand,
  DeleteCaseCommand,
  DeleteFieldCommand,
  GetCaseEventConfigurationCommand,
  PutCaseEventConfigurationCommand,
  UpdateCaseCommand,
  UpdateRelatedItemCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { assertNotFound, assertValidation, startTestServer, uniqueName, type TestServer } from './helpers.js';
import { FAST_DELIVERY, Receiver } from './events-receiver.js';

const USER = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/agent/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRET = 'webhook-test-secret';

interface Domain {
  domainId: string;
  notes: string;
  amount: string;
  templateId: string;
}

async function domainWithFields(client: ConnectCasesClient): Promise<Domain> {
  const { domainId } = await client.send(new CreateDomainCommand({ name: uniqueName('events') }));
  const notes = (await client.send(new CreateFieldCommand({ domainId, name: 'Notes', type: 'Text' }))).fieldId!;
  const amount = (await client.send(new CreateFieldCommand({ domainId, name: 'Amount', type: 'Number' }))).fieldId!;
  const templateId = (await client.send(new CreateTemplateCommand({ domainId, name: 'Basic', status: 'Active' }))).templateId!;
  return { domainId: domainId!, notes, amount, templateId };
}

async function createCase(client: ConnectCasesClient, d: Domain, title: string, notes?: string): Promise<string> {
  const fields = [{ id: 'title', value: { stringValue: title } }, { id: d.amount, value: { doubleValue: 12.5 } }];
  if (notes !== undefined) fields.push({ id: d.notes, value: { stringValue: notes } });
  const out = await client.send(new CreateCaseCommand({ domainId: d.domainId, templateId: d.templateId, fields, performedBy: { userArn: USER } }));
  return out.caseId!;
}

const setNotes = (client: ConnectCasesClient, d: Domain, caseId: string, notes: string) =>
  client.send(new UpdateCaseCommand({ domainId: d.domainId, caseId, fields: [{ id: d.notes, value: { stringValue: notes } }], performedBy: { userArn: USER } }));

describe('case event configuration', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('a domain without configuration publishes nothing; Put stores what Get returns', async () => {
    const d = await domainWithFields(t.client);
    const initial = await t.client.send(new GetCaseEventConfigurationCommand({ domainId: d.domainId }));
    assert.deepEqual(initial.eventBridge, { enabled: false });

    const eventBridge = {
      enabled: true,
      includedData: { caseData: { fields: [{ id: 'title' }, { id: d.notes }] }, relatedItemData: { includeContent: true } },
    };
    await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge }));
    const got = await t.client.send(new GetCaseEventConfigurationCommand({ domainId: d.domainId }));
    assert.deepEqual(got.eventBridge, eventBridge);
  });

  test('fields must exist, be live and appear once; unknown domains are not found', async () => {
    const d = await domainWithFields(t.client);
    const put = (fields: { id: string }[]) =>
      t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true, includedData: { caseData: { fields } } } }));
    await assertValidation(put([{ id: 'title' }, { id: 'no-such-field' }]), /no-such-field/);
    await assertValidation(put([{ id: d.notes }, { id: d.notes }]), new RegExp(`more than once: ${d.notes}`));
    await t.client.send(new DeleteFieldCommand({ domainId: d.domainId, fieldId: d.amount }));
    await assertValidation(put([{ id: d.amount }]), new RegExp(`deleted: ${d.amount}`));
    await assertNotFound(t.client.send(new GetCaseEventConfigurationCommand({ domainId: 'missing' })), /Domain/);
    await assertNotFound(t.client.send(new PutCaseEventConfigurationCommand({ domainId: 'missing', eventBridge: { enabled: false } })));
  });

  test('a field deleted after the configuration was stored drops out of it', async () => {
    const d = await domainWithFields(t.client);
    await t.client.send(
      new PutCaseEventConfigurationCommand({
        domainId: d.domainId,
        eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: d.notes }, { id: d.amount }] } } },
      }),
    );
    await t.client.send(new DeleteFieldCommand({ domainId: d.domainId, fieldId: d.notes }));
    const got = await t.client.send(new GetCaseEventConfigurationCommand({ domainId: d.domainId }));
    assert.deepEqual(got.eventBridge?.includedData?.caseData?.fields, [{ id: d.amount }]);
  });
});

describe('case events through a webhook', () => {
  let t: TestServer;
  const receiver = new Receiver();
  before(async () => {
    await receiver.start();
    t = await startTestServer({ events: { webhookUrls: [receiver.url], webhookSecret: SECRET, delivery: FAST_DELIVERY } });
  });
  after(async () => {
    await t.close();
    await receiver.stop();
  });

  test('CASE.CREATED, UPDATED and DELETED carry the envelope, the change and the configured fields as they are after it', async () => {
    const d = await domainWithFields(t.client);
    const before = receiver.received.length;
    // Not enabled yet: no event for this case.
    const silent = await createCase(t.client, d, 'before enabling');
    await t.client.send(
      new PutCaseEventConfigurationCommand({
        domainId: d.domainId,
        eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: 'title' }, { id: 'status' }, { id: d.notes }] } } },
      }),
    );
    const caseId = await createCase(t.client, d, 'Lost parcel', 'first note');
    await setNotes(t.client, d, caseId, 'second note');
    await t.client.send(new DeleteCaseCommand({ domainId: d.domainId, caseId }));
    const got = (await receiver.waitFor(before + 3)).slice(before);
    assert.equal(got.length, 3);
    assert.ok(got.every((r) => r.json.detail.case.caseId === caseId), 'no event for the case made before enabling');
    assert.ok(!got.some((r) => r.json.detail.case.caseId === silent));

    const domainArn = `arn:aws:cases:us-east-1:000000000000:domain/${d.domainId}`;
    const [created, updated, deleted] = got.map((r) => r.json);
    for (const e of [created, updated, deleted]) {
      assert.equal(e.version, '0');
      assert.equal(e.source, 'aws.cases');
      assert.equal(e['detail-type'], 'Amazon Connect Cases Change');
      assert.equal(e.account, '000000000000');
      assert.equal(e.region, 'us-east-1');
      assert.match(e.id, /^[0-9a-f-]{36}$/);
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(e.resources, [domainArn, `${domainArn}/case/${caseId}`]);
      assert.equal(e.detail.version, '0');
      assert.ok(!Number.isNaN(Date.parse(e.detail.approximateChangeTime)));
      assert.equal(e.detail.case.templateId, d.templateId);
      assert.ok(e.detail.performedBy.iamPrincipalArn);
    }
    assert.deepEqual(
      [created, updated, deleted].map((e) => e.detail.eventType),
      ['CASE.CREATED', 'CASE.UPDATED', 'CASE.DELETED'],
    );
    assert.deepEqual(created.detail.performedBy.user, { userArn: USER });
    assert.ok(created.detail.changedFieldIds.includes('title') && created.detail.changedFieldIds.includes(d.notes));
    assert.deepEqual(created.detail.case.fields, {
      title: { value: { stringValue: 'Lost parcel' } },
      status: { value: { stringValue: 'open' } },
      [d.notes]: { value: { stringValue: 'first note' } },
    });
    // Only what changed, plus last_updated_datetime; values after the change; amount was never asked for.
    assert.ok(updated.detail.changedFieldIds.includes(d.notes));
    assert.ok(updated.detail.changedFieldIds.includes('last_updated_datetime'));
    assert.ok(!updated.detail.changedFieldIds.includes('title'));
    assert.deepEqual(updated.detail.case.fields[d.notes], { value: { stringValue: 'second note' } });
    assert.equal(updated.detail.case.fields[d.amount], undefined);
    assert.deepEqual(deleted.detail.changedFieldIds, []);
    assert.deepEqual(deleted.detail.case.fields[d.notes], { value: { stringValue: 'second note' } });
    assert.equal(created.detail.case.createdDateTime, deleted.detail.case.createdDateTime);
    assert.equal(created.detail.approximateChangeTime, created.detail.case.createdDateTime);
  });

  test('without includedData an event carries ids and times only; disabling stops events', async () => {
    const d = await domainWithFields(t.client);
    await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true } }));
    const before = receiver.received.length;
    const caseId = await createCase(t.client, d, 'plain', 'n');
    const [e] = (await receiver.waitFor(before + 1)).slice(before);
    assert.deepEqual(Object.keys(e.json.detail.case).sort(), ['caseId', 'createdDateTime', 'templateId']);
    assert.equal(e.json.detail.case.caseId, caseId);

    await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: false } }));
    await setNotes(t.client, d, caseId, 'unseen');
    // An enabled domain's event written afterwards arrives; the disabled one's never does.
    const other = await domainWithFields(t.client);
    await t.client.send(new PutCaseEventConfigurationCommand({ domainId: other.domainId, eventBridge: { enabled: true } }));
    const marker = await createCase(t.client, other, 'marker');
    const rest = (await receiver.waitFor(before + 2)).slice(before + 1);
    assert.deepEqual(rest.map((r) => r.json.detail.case.caseId), [marker]);
  });

  test('RELATED_ITEM.CREATED, UPDATED and DELETED carry the item, with its content only when asked', async () => {
    const d = await domainWithFields(t.client);
    await t.client.send(
      new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true, includedData: { relatedItemData: { includeContent: true } } } }),
    );
    const before = receiver.received.length;
    const caseId = await createCase(t.client, d, 'with comments');
    await receiver.waitFor(before + 1);
    const start = before + 1;
    const base = { domainId: d.domainId, caseId };
    const { relatedItemId } = await t.client.send(
      new CreateRelatedItemCommand({ ...base, type: 'Comment', content: { comment: { body: 'first', contentType: 'Text/Plain' } }, performedBy: { userArn: USER } }),
    );
    await t.client.send(new UpdateRelatedItemCommand({ ...base, relatedItemId, content: { comment: { body: 'edited', contentType: 'Text/Plain' } } }));
    await t.client.send(new DeleteRelatedItemCommand({ ...base, relatedItemId }));
    // Content off: the next item's event names it without its content.
    await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true } }));
    const second = await t.client.send(new CreateRelatedItemCommand({ ...base, type: 'Comment', content: { comment: { body: 'hidden', contentType: 'Text/Plain' } } }));

    const got = (await receiver.waitFor(start + 4)).slice(start).map((r) => r.json);
    assert.deepEqual(
      got.map((e) => e.detail.eventType),
      ['RELATED_ITEM.CREATED', 'RELATED_ITEM.UPDATED', 'RELATED_ITEM.DELETED', 'RELATED_ITEM.CREATED'],
    );
    const domainArn = `arn:aws:cases:us-east-1:000000000000:domain/${d.domainId}`;
    const [created, updated, deleted, plain] = got;
    for (const e of [created, updated, deleted]) {
      assert.equal(e.source, 'aws.cases');
      assert.deepEqual(e.resources, [domainArn, `${domainArn}/case/${caseId}/related-item/${relatedItemId}`]);
      assert.equal(e.detail.relatedItem.relatedItemType, 'Comment');
      assert.equal(e.detail.relatedItem.relatedItemId, relatedItemId);
      assert.equal(e.detail.relatedItem.caseId, caseId);
      assert.ok(!Number.isNaN(Date.parse(e.detail.relatedItem.createdDateTime)));
      assert.equal(e.detail.case, undefined);
    }
    assert.deepEqual(created.detail.relatedItem.comment, { body: 'first', contentType: 'Text/Plain' });
    assert.deepEqual(created.detail.performedBy.user, { userArn: USER });
    assert.deepEqual(updated.detail.relatedItem.comment, { body: 'edited', contentType: 'Text/Plain' });
    assert.equal(updated.detail.performedBy.user, undefined);
    assert.deepEqual(deleted.detail.relatedItem.comment, { body: 'edited', contentType: 'Text/Plain' });
    assert.deepEqual(Object.keys(plain.detail.relatedItem).sort(), ['caseId', 'createdDateTime', 'relatedItemId', 'relatedItemType']);
    assert.equal(plain.detail.relatedItem.relatedItemId, second.relatedItemId);
  });

  test('every webhook request carries an HMAC-SHA256 signature of its body', async () => {
    assert.ok(receiver.received.length > 0);
    for (const r of receiver.received) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-opencases-signature'], expected);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-opencases-event-id'], r.json.id);
    }
  });
});

describe('delivery through outages', () => {
  test('receiver down for a while, then up: every event arrives, in order per case', { timeout: 60_000 }, async () => {
    const receiver = new Receiver();
    await receiver.start();
    const t = await startTestServer({ events: { webhookUrls: [receiver.url], delivery: FAST_DELIVERY } });
    try {
      const d = await domainWithFields(t.client);
      await t.client.send(
        new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: d.notes }] } } } }),
      );
      const port = receiver.port;
      await receiver.stop();
      const cases: string[] = [];
      for (let i = 0; i < 4; i++) cases.push(await createCase(t.client, d, `case ${i}`, 'v0'));
      for (let v = 1; v <= 3; v++) for (const c of cases) await setNotes(t.client, d, c, `v${v}`);
      // Several attempts fail against the closed port before it comes back.
      await new Promise((r) => setTimeout(r, 700));
      await receiver.start(port);
      const got = await receiver.waitFor(16);
      const ids = new Set(got.map((r) => r.json.id));
      assert.equal(ids.size, 16, 'every event arrived');
      for (const c of cases) {
        const seen: string[] = [];
        for (const r of got) {
          if (r.json.detail.case.caseId !== c) continue;
          const note = r.json.detail.case.fields[d.notes].value.stringValue;
          if (!seen.includes(note)) seen.push(note);
        }
        assert.deepEqual(seen, ['v0', 'v1', 'v2', 'v3'], `events of case ${c} in order`);
      }
    } finally {
      await t.close();
      await receiver.stop();
    }
  });

  test('after the last attempt an event is parked as dead and blocks its case until requeued', { timeout: 60_000 }, async () => {
    const receiver = new Receiver();
    await receiver.start();
    receiver.status = 500;
    const t = await startTestServer({ events: { webhookUrls: [receiver.url], delivery: { ...FAST_DELIVERY, maxAttempts: 3 } } });
    try {
      const d = await domainWithFields(t.client);
      await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true } }));
      const caseId = await createCase(t.client, d, 'doomed');
      let dead = await t.server.store.read((tx) => tx.listDeadDeliveries());
      for (let i = 0; i < 100 && dead.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        dead = await t.server.store.read((tx) => tx.listDeadDeliveries());
      }
      assert.equal(dead.length, 1);
      assert.equal(dead[0].caseId, caseId);
      assert.equal(dead[0].attempts, 3);
      assert.match(dead[0].lastError ?? '', /HTTP 500/);

      receiver.status = 200;
      await setNotes(t.client, d, caseId, 'later');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(receiver.received.length, 0, 'the next event of the case waits behind the dead one');

      assert.equal(await t.server.store.write((tx) => tx.requeueDeadDeliveries([dead[0].eventId])), 1);
      const got = await receiver.waitFor(2);
      assert.deepEqual(got.map((r) => r.json.detail.eventType), ['CASE.CREATED', 'CASE.UPDATED']);
    } finally {
      await t.close();
      await receiver.stop();
    }
  });
});

describe('shutdown', () => {
  test('close() interrupts deliveries stuck on a hanging receiver and leaves their events queued for the next start', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opencases-events-close-'));
    const receiver = new Receiver();
    await receiver.start();
    receiver.hang = true;
    // A timeout far beyond the test's: only close() can end the attempt.
    const events = { webhookUrls: [receiver.url], delivery: { ...FAST_DELIVERY, timeoutMs: 600_000, concurrency: 3 } };
    try {
      let t = await startTestServer({ dataDir, events });
      const d = await domainWithFields(t.client);
      await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true } }));
      const cases: string[] = [];
      for (let i = 0; i < 5; i++) cases.push(await createCase(t.client, d, `in flight at shutdown ${i}`));
      for (let i = 0; i < 100 && receiver.hung < 3; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.hung, 3, 'deliveries in flight are bounded by the concurrency');
      // The API still answers while every delivery slot hangs.
      cases.push(await createCase(t.client, d, 'written while the receiver hangs'));
      await t.close();

      receiver.release();
      // The interrupted attempt released its lease and did not count: the next start sends it at once.
      t = await startTestServer({ dataDir, events });
      try {
        const got = await receiver.waitFor(cases.length);
        assert.deepEqual(new Set(got.map((r) => r.json.detail.case.caseId)), new Set(cases));
        assert.ok(got.every((r) => r.headers['x-opencases-delivery-attempt'] === '1'));
      } finally {
        await t.close();
      }
    } finally {
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('EventBridge sink', () => {
  test('sends PutEvents (JSON 1.1, AWSEvents.PutEvents, SigV4) to the configured endpoint and bus', { timeout: 30_000 }, async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEVENTBRIDGE';
    process.env.AWS_SECRET_ACCESS_KEY = 'eventbridge-secret';
    const bridge = new Receiver();
    await bridge.start();
    const t = await startTestServer({
      events: { eventBridgeEndpoint: `http://127.0.0.1:${bridge.port}`, eventBridgeBus: 'cases-bus', delivery: FAST_DELIVERY },
    });
    try {
      const d = await domainWithFields(t.client);
      await t.client.send(new PutCaseEventConfigurationCommand({ domainId: d.domainId, eventBridge: { enabled: true } }));
      const caseId = await createCase(t.client, d, 'to the bus');
      const [req] = await bridge.waitFor(1);
      assert.equal(req.headers['x-amz-target'], 'AWSEvents.PutEvents');
      assert.equal(req.headers['content-type'], 'application/x-amz-json-1.1');
      assert.match(String(req.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEVENTBRIDGE\/\d{8}\/us-east-1\/events\/aws4_request/);
      assert.equal(req.json.Entries.length, 1);
      const entry = req.json.Entries[0];
      assert.equal(entry.EventBusName, 'cases-bus');
      assert.equal(entry.Source, 'aws.cases');
      assert.equal(entry.DetailType, 'Amazon Connect Cases Change');
      const domainArn = `arn:aws:cases:us-east-1:000000000000:domain/${d.domainId}`;
      assert.deepEqual(entry.Resources, [domainArn, `${domainArn}/case/${caseId}`]);
      const detail = JSON.parse(entry.Detail);
      assert.equal(detail.eventType, 'CASE.CREATED');
      assert.equal(detail.case.caseId, caseId);
    } finally {
      await t.close();
      await bridge.stop();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});
