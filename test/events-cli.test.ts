/** The event configuration through the real AWS CLI, and an event it causes reaching a webhook. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from './helpers.js';
import { FAST_DELIVERY, Receiver } from './events-receiver.js';

const run = promisify(execFile);

/** Dummy credentials and region only: no profile or config of the machine running the tests leaks in. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/opencases-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/opencases-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

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

const aws = async (args: string[]): Promise<any> => {
  const { stdout } = await run('aws', ['connectcases', ...args, '--endpoint-url', t.server.endpoint, '--output', 'json'], { env: cliEnv(), timeout: 60_000 });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
};

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
