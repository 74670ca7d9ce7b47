import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDomainCommand,
  DeleteDomainCommand,
  GetDomainCommand,
  ListDomainsCommand,
  paginateListDomains,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertQuota, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';

describe('domains', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ quotas: { domainsPerAccount: 3 } });
  });
  after(() => t.close());

  test('create, get, list and delete a domain', async () => {
    const created = await t.client.send(new CreateDomainCommand({ name: 'support' }));
    assert.match(created.domainId!, /^[0-9a-f-]{36}$/);
    assert.equal(created.domainArn, `arn:aws:cases:us-east-1:000000000000:domain/${created.domainId}`);
    assert.equal(created.domainStatus, 'Active');

    const got = await t.client.send(new GetDomainCommand({ domainId: created.domainId }));
    assert.equal(got.name, 'support');
    assert.ok(got.createdTime instanceof Date && !Number.isNaN(got.createdTime.getTime()));
    assert.deepEqual(got.tags, {});

    const listed = await t.client.send(new ListDomainsCommand({}));
    assert.ok(listed.domains!.some((d) => d.domainId === created.domainId && d.name === 'support'));

    await t.client.send(new DeleteDomainCommand({ domainId: created.domainId }));
    await assertNotFound(t.client.send(new GetDomainCommand({ domainId: created.domainId })), /Domain/);
    await assertNotFound(t.client.send(new DeleteDomainCommand({ domainId: created.domainId })));
  });

  test('ResourceNotFoundException carries resourceId and resourceType', async () => {
    const err = await assertNotFound(t.client.send(new GetDomainCommand({ domainId: 'missing-domain' })));
    assert.equal(err.resourceId, 'missing-domain');
    assert.equal(err.resourceType, 'Domain');
    assert.ok(err.$metadata.requestId, 'x-amzn-RequestId reaches the SDK');
  });

  test('names are unique per account, and quotas apply per account', async () => {
    const a = await t.client.send(new CreateDomainCommand({ name: 'dup' }));
    await assertConflict(t.client.send(new CreateDomainCommand({ name: 'dup' })), /dup/);
    // Another account (dev mode: a 12-digit access key id is the account) may use the same name.
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    const b = await other.send(new CreateDomainCommand({ name: 'dup' }));
    await assertNotFound(other.send(new GetDomainCommand({ domainId: a.domainId })), /Domain/);
    await assertNotFound(t.client.send(new GetDomainCommand({ domainId: b.domainId })));
    await t.client.send(new CreateDomainCommand({ name: 'q2' }));
    await t.client.send(new CreateDomainCommand({ name: 'q3' }));
    await assertQuota(t.client.send(new CreateDomainCommand({ name: 'q4' })), /3 domains/);
    other.destroy();
  });

  test('request validation names the member and the constraint', async () => {
    await assertValidation(t.client.send(new CreateDomainCommand({ name: 'x'.repeat(101) })), /at 'name'.*length less than or equal to 100/);
    await assertValidation(t.client.send(new CreateDomainCommand({ name: 'trailing ' })), /at 'name'.*regular expression/);
    await assertValidation(t.client.send(new CreateDomainCommand({} as any)), /Value null at 'name'.*must not be null/);
    await assertValidation(t.client.send(new ListDomainsCommand({ maxResults: 11 })), /maxResults.*less than or equal to 10/);
  });
});

describe('domain pagination', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ quotas: { domainsPerAccount: 30 } });
  });
  after(() => t.close());

  test('walking all pages returns every domain exactly once; forged tokens are refused', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) ids.add((await t.client.send(new CreateDomainCommand({ name: `p${i}` }))).domainId!);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListDomains({ client: t.client, pageSize: 4 }, {})) {
      pages++;
      assert.ok(page.domains!.length <= 4);
      seen.push(...page.domains!.map((d) => d.domainId!));
    }
    assert.equal(pages, 6);
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, ids.size);

    const first = await t.client.send(new ListDomainsCommand({ maxResults: 2 }));
    assert.ok(first.nextToken);
    const tampered = first.nextToken!.slice(0, -2) + (first.nextToken!.endsWith('AA') ? 'BB' : 'AA');
    await assertValidation(t.client.send(new ListDomainsCommand({ nextToken: tampered })), /nextToken/);
    await assertValidation(t.client.send(new ListDomainsCommand({ nextToken: 'garbage' })), /nextToken/);
    // A token is exactly what was issued: nothing appended after its signature either.
    await assertValidation(t.client.send(new ListDomainsCommand({ nextToken: `${first.nextToken}.extra` })), /nextToken/);
    await t.client.send(new ListDomainsCommand({ nextToken: first.nextToken }));
  });
});
