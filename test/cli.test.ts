/** The real AWS CLI v1 and boto3 against an in-process server: opencases must work with them unchanged. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, cliEnv, run } from './support/aws-cli.js';
import { startTestServer, type TestServer } from './helpers.js';

const aws = awsCli;

/** Resolves to the CLI's exit code and stderr, for calls that must fail. */
async function awsFailure(endpoint: string, args: string[], env: Record<string, string> = {}) {
  try {
    await aws(endpoint, args, env);
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  assert.fail(`aws connectcases ${args.join(' ')} succeeded, but should have failed`);
}

describe('AWS CLI v1', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('create-domain, get-domain and list-domains parse as the CLI expects', async () => {
    const created = await aws(t.server.endpoint, ['create-domain', '--name', 'cli-domain']);
    assert.match(created.domainId, /^[0-9a-f-]{36}$/);
    assert.equal(created.domainArn, `arn:aws:cases:us-east-1:000000000000:domain/${created.domainId}`);
    assert.equal(created.domainStatus, 'Active');

    const got = await aws(t.server.endpoint, ['get-domain', '--domain-id', created.domainId]);
    assert.equal(got.name, 'cli-domain');
    assert.equal(got.domainStatus, 'Active');
    // botocore parses the timestamp and prints it back as ISO-8601.
    assert.ok(!Number.isNaN(Date.parse(got.createdTime)), got.createdTime);

    const listed = await aws(t.server.endpoint, ['list-domains']);
    assert.ok(listed.domains.some((d: { domainId: string; name: string }) => d.domainId === created.domainId && d.name === 'cli-domain'));
  });

  test('create-field and list-fields, with the system fields in namespace System', async () => {
    const { domainId } = await aws(t.server.endpoint, ['create-domain', '--name', 'cli-fields']);
    const field = await aws(t.server.endpoint, [
      'create-field', '--domain-id', domainId, '--name', 'Priority', '--type', 'SingleSelect', '--description', 'How urgent',
    ]);
    assert.match(field.fieldId, /^[0-9a-f-]{36}$/);
    assert.equal(field.fieldArn, `arn:aws:cases:us-east-1:000000000000:domain/${domainId}/field/${field.fieldId}`);

    const { fields } = await aws(t.server.endpoint, ['list-fields', '--domain-id', domainId]);
    const mine = fields.find((f: { fieldId: string }) => f.fieldId === field.fieldId);
    assert.deepEqual(mine, { fieldId: field.fieldId, fieldArn: field.fieldArn, name: 'Priority', type: 'SingleSelect', namespace: 'Custom' });
    const system = fields.filter((f: { namespace: string }) => f.namespace === 'System');
    for (const [id, type] of [['title', 'Text'], ['status', 'SingleSelect'], ['reference_number', 'Text'], ['created_datetime', 'DateTime']]) {
      assert.ok(system.some((f: { fieldId: string; type: string }) => f.fieldId === id && f.type === type), `system field ${id}`);
    }
    assert.equal(system.length + 1, fields.length);
  });

  test('AWS_ENDPOINT_URL_CONNECTCASES replaces --endpoint-url', async () => {
    const created = await aws(undefined, ['create-domain', '--name', 'cli-env-endpoint'], { AWS_ENDPOINT_URL_CONNECTCASES: t.server.endpoint });
    const got = await aws(undefined, ['get-domain', '--domain-id', created.domainId], { AWS_ENDPOINT_URL_CONNECTCASES: t.server.endpoint });
    assert.equal(got.name, 'cli-env-endpoint');
  });

  test('service errors reach the CLI with their name and message', async () => {
    const r = await awsFailure(t.server.endpoint, ['get-domain', '--domain-id', 'no-such-domain']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ResourceNotFoundException/);
    assert.match(r.stderr, /no-such-domain/);
  });

  test('boto3 works with endpoint_url and dummy credentials', async () => {
    const script = [
      'import boto3, json, sys',
      "c = boto3.client('connectcases', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='AKIDTEST', aws_secret_access_key='test-secret')",
      "d = c.create_domain(name='boto3-domain')",
      "g = c.get_domain(domainId=d['domainId'])",
      "print(json.dumps({'domainId': d['domainId'], 'name': g['name'], 'createdTimeType': type(g['createdTime']).__name__}))",
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, t.server.endpoint], { env: cliEnv(), timeout: 60_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.name, 'boto3-domain');
    // A datetime, not a string: the timestamp format is one botocore understands.
    assert.equal(out.createdTimeType, 'datetime');
  });
});

describe('AWS CLI v1 in strict mode', () => {
  let dir: string;
  let t: TestServer;
  const CRED = { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli-secret', accountId: '444455556666' };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-cli-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify({ credentials: [CRED] }));
    t = await startTestServer({ credentialsFile });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("botocore's signature verifies, and a wrong secret is refused", async () => {
    const keys = { AWS_ACCESS_KEY_ID: CRED.accessKeyId, AWS_SECRET_ACCESS_KEY: CRED.secretAccessKey };
    const created = await aws(t.server.endpoint, ['create-domain', '--name', 'strict-cli'], keys);
    assert.equal(created.domainArn, `arn:aws:cases:us-east-1:444455556666:domain/${created.domainId}`);
    const got = await aws(t.server.endpoint, ['get-domain', '--domain-id', created.domainId], keys);
    assert.equal(got.name, 'strict-cli');

    // The ARN travels percent-encoded in the path of /tags/{arn}; botocore signs the encoded form.
    await aws(t.server.endpoint, ['tag-resource', '--arn', created.domainArn, '--tags', 'team=support'], keys);
    const tags = await aws(t.server.endpoint, ['list-tags-for-resource', '--arn', created.domainArn], keys);
    assert.deepEqual(tags.tags, { team: 'support' });

    // A query value with reserved characters: botocore's canonical query must match the server's.
    const field = await aws(t.server.endpoint, ['create-field', '--domain-id', created.domainId, '--name', 'Topic', '--type', 'SingleSelect'], keys);
    const found = await aws(t.server.endpoint, ['list-field-options', '--domain-id', created.domainId, '--field-id', field.fieldId, '--values', 'a b+c/ü'], keys);
    assert.deepEqual(found.options, []);

    const r = await awsFailure(t.server.endpoint, ['list-domains'], { ...keys, AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.match(r.stderr, /InvalidSignatureException/);
  });
});
