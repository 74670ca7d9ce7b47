/** The event configuration through the real AWS CLI, and an event it causes reaching a webhook. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { awsCli } from './support/aws-cli.js';
import { startTestServer, type TestServer } from './helpers.js';
import { FAST_DELIVERY, Receiver } from './events-receiver.js';

let t: TestServer;
const receiver = new Receiver();
before(async () => {
  await receiver.start();
  t = await startTestServer({ events: { webhookUrls: [receiver.url], delivery: FAST_DELIVERY } });
});
after(async () => {
  await t.close();
  await receiver.stop();
});

const aws = (args: string[]) => awsCli(t.server.endpoint, args);

test('aws connectcases put-case-event-configuration / get-case-event-configuration, then an event arrives', { timeout: 120_000 }, async () => {
  const { domainId } = await aws(['create-domain', '--name', `events-cli-${process.pid}`]);
  assert.deepEqual(await aws(['get-case-event-configuration', '--domain-id', domainId]), { eventBridge: { enabled: false } });
  const eventBridge = { enabled: true, includedData: { caseData: { fields: [{ id: 'title' }] }, relatedItemData: { includeContent: false } } };
  await aws(['put-case-event-configuration', '--domain-id', domainId, '--event-bridge', JSON.stringify(eventBridge)]);
  assert.deepEqual(await aws(['get-case-event-configuration', '--domain-id', domainId]), { eventBridge });

  const { templateId } = await aws(['create-template', '--domain-id', domainId, '--name', 'Basic', '--status', 'Active']);
  const { caseId } = await aws(['create-case', '--domain-id', domainId, '--template-id', templateId, '--fields', JSON.stringify([{ id: 'title', value: { stringValue: 'via CLI' } }])]);
  const [e] = await receiver.waitFor(1);
  assert.equal(e.json.detail.eventType, 'CASE.CREATED');
  assert.equal(e.json.detail.case.caseId, caseId);
  assert.deepEqual(e.json.detail.case.fields, { title: { value: { stringValue: 'via CLI' } } });
});
