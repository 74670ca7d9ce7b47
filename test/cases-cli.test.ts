/** Cases through the real AWS CLI v1 and boto3: create, update, get and the audit trail, as those clients parse them. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { awsCli, cliEnv, run } from './support/aws-cli.js';
import { startTestServer, type TestServer } from './helpers.js';
import { USER_A, caseFixture, type CaseFixture } from './support/cases-fixture.js';

describe('cases through the AWS CLI and boto3', () => {
  let t: TestServer;
  let x: CaseFixture;
  before(async () => {
    t = await startTestServer();
    x = await caseFixture(t.client, 'cases-cli');
  });
  after(() => t.close());

  const aws = (args: string[]) => awsCli(t.server.endpoint, args);

  test('aws connectcases create-case, update-case, get-case and get-case-audit-events', async () => {
    const created = await aws([
      'create-case', '--domain-id', x.domainId, '--template-id', x.template, '--client-token', 'cli-token-1',
      '--fields', JSON.stringify([
        { id: 'title', value: { stringValue: 'From the CLI' } },
        { id: x.f.amount, value: { doubleValue: 42.5 } },
        { id: x.f.vip, value: { booleanValue: true } },
      ]),
      '--performed-by', `userArn=${USER_A}`,
      '--tags', 'source=cli',
    ]);
    assert.match(created.caseId, /^[0-9a-f-]{36}$/);
    assert.equal(created.caseArn, `arn:aws:cases:us-east-1:000000000000:domain/${x.domainId}/case/${created.caseId}`);

    const updated = await aws([
      'update-case', '--domain-id', x.domainId, '--case-id', created.caseId,
      '--fields', JSON.stringify([
        { id: 'status', value: { stringValue: 'closed' } },
        { id: x.f.vip, value: { emptyValue: {} } },
        { id: x.f.due, value: { stringValue: '2025-01-02T03:04:05Z' } },
      ]),
    ]);
    assert.equal(updated, undefined, 'UpdateCase answers with an empty body');

    const got = await aws([
      'get-case', '--domain-id', x.domainId, '--case-id', created.caseId,
      '--fields', 'id=title', `id=${x.f.amount}`, `id=${x.f.vip}`, `id=${x.f.due}`, 'id=status', 'id=last_updated_user',
    ]);
    assert.deepEqual(got.fields, [
      { id: 'title', value: { stringValue: 'From the CLI' } },
      { id: x.f.amount, value: { doubleValue: 42.5 } },
      { id: x.f.due, value: { stringValue: '2025-01-02T03:04:05.000Z' } },
      { id: 'status', value: { stringValue: 'closed' } },
    ]);
    assert.equal(got.templateId, x.template);
    assert.deepEqual(got.tags, { source: 'cli' });

    const audit = await aws(['get-case-audit-events', '--domain-id', x.domainId, '--case-id', created.caseId]);
    assert.deepEqual(audit.auditEvents.map((e: any) => e.type), ['Case.Updated', 'Case.Created']);
    const [upd, crt] = audit.auditEvents;
    assert.deepEqual(upd.fields.filter((f: any) => f.eventFieldId !== 'last_closed_datetime'), [
      { eventFieldId: 'status', oldValue: { stringValue: 'open' }, newValue: { stringValue: 'closed' } },
      { eventFieldId: x.f.vip, oldValue: { booleanValue: true }, newValue: { emptyValue: {} } },
      { eventFieldId: x.f.due, oldValue: { emptyValue: {} }, newValue: { stringValue: '2025-01-02T03:04:05.000Z' } },
    ]);
    assert.deepEqual(upd.performedBy, { iamPrincipalArn: 'arn:aws:iam::000000000000:user/AKIDTEST' });
    assert.deepEqual(crt.performedBy, { user: { userArn: USER_A }, iamPrincipalArn: 'arn:aws:iam::000000000000:user/AKIDTEST' });
    assert.ok(crt.fields.some((f: any) => f.eventFieldId === x.f.amount && f.newValue.doubleValue === 42.5));
    assert.ok(!Number.isNaN(Date.parse(crt.performedTime)), crt.performedTime);

    // The CLI's retry of the same request answers with the same case.
    const again = await aws([
      'create-case', '--domain-id', x.domainId, '--template-id', x.template, '--client-token', 'cli-token-1',
      '--fields', JSON.stringify([
        { id: 'title', value: { stringValue: 'From the CLI' } },
        { id: x.f.amount, value: { doubleValue: 42.5 } },
        { id: x.f.vip, value: { booleanValue: true } },
      ]),
      '--performed-by', `userArn=${USER_A}`,
      '--tags', 'source=cli',
    ]);
    assert.equal(again.caseId, created.caseId);
  });

  test('boto3: create, update, get, audit, idempotency conflict and a ValidationException', async () => {
    const script = [
      'import boto3, json, sys',
      'from botocore.exceptions import ClientError',
      "endpoint, domain, template, amount = sys.argv[1:5]",
      "c = boto3.client('connectcases', endpoint_url=endpoint)",
      "def err(fn):",
      "    try:",
      "        fn()",
      "    except ClientError as e:",
      "        return [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Message']]",
      "    return None",
      "case = c.create_case(domainId=domain, templateId=template, clientToken='boto-1', fields=[{'id': 'title', 'value': {'stringValue': 'boto'}}])",
      "cid = case['caseId']",
      "c.update_case(domainId=domain, caseId=cid, fields=[{'id': amount, 'value': {'doubleValue': 7}}, {'id': 'title', 'value': {'stringValue': 'boto 2'}}])",
      "got = c.get_case(domainId=domain, caseId=cid, fields=[{'id': 'title'}, {'id': amount}, {'id': 'reference_number'}])",
      "audit = c.get_case_audit_events(domainId=domain, caseId=cid, maxResults=1)",
      "rest = c.get_case_audit_events(domainId=domain, caseId=cid, nextToken=audit['nextToken'])",
      "conflict = err(lambda: c.create_case(domainId=domain, templateId=template, clientToken='boto-1', fields=[{'id': 'title', 'value': {'stringValue': 'other'}}]))",
      "invalid = err(lambda: c.update_case(domainId=domain, caseId=cid, fields=[{'id': amount, 'value': {'stringValue': 'seven'}}]))",
      "missing = err(lambda: c.get_case(domainId=domain, caseId='nope', fields=[{'id': 'title'}]))",
      "print(json.dumps({'caseId': cid, 'fields': got['fields'], 'templateId': got['templateId'],",
      "  'first': [e['type'] for e in audit['auditEvents']], 'firstFields': audit['auditEvents'][0]['fields'],",
      "  'rest': [e['type'] for e in rest['auditEvents']], 'restToken': rest.get('nextToken'),",
      "  'conflict': conflict, 'invalid': invalid, 'missing': missing}))",
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, t.server.endpoint, x.domainId, x.template, x.f.amount], { env: cliEnv(), timeout: 60_000 });
    const out = JSON.parse(stdout);
    assert.match(out.caseId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.fields.slice(0, 2), [
      { id: 'title', value: { stringValue: 'boto 2' } },
      { id: x.f.amount, value: { doubleValue: 7 } },
    ]);
    assert.equal(out.fields[2].id, 'reference_number');
    assert.match(out.fields[2].value.stringValue, /^\d{8}$/);
    assert.equal(out.templateId, x.template);
    assert.deepEqual(out.first, ['Case.Updated']);
    assert.deepEqual(out.firstFields, [
      { eventFieldId: x.f.amount, oldValue: { emptyValue: {} }, newValue: { doubleValue: 7 } },
      { eventFieldId: 'title', oldValue: { stringValue: 'boto' }, newValue: { stringValue: 'boto 2' } },
    ]);
    assert.deepEqual(out.rest, ['Case.Created']);
    assert.equal(out.restToken, null);
    assert.deepEqual(out.conflict.slice(0, 2), ['ConflictException', 409]);
    assert.match(out.conflict[2], /clientToken 'boto-1'/);
    assert.deepEqual(out.invalid.slice(0, 2), ['ValidationException', 400]);
    assert.match(out.invalid[2], new RegExp(`field ${x.f.amount}: a Number field takes doubleValue`));
    assert.deepEqual(out.missing.slice(0, 2), ['ResourceNotFoundException', 404]);
  });
});
