/** Strict mode (a credentials file): SigV4 verification, scopes, clock skew, allow globs, account isolation; and dev mode's account rule. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import {
  BatchPutFieldOptionsCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  GetDomainCommand,
  ListFieldOptionsCommand,
  ListDomainsCommand,
  ListTagsForResourceCommand,
  ListTemplatesCommand,
  TagResourceCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { startServer } from '../src/server.js';
import { assertAccessDenied, assertError, assertNotFound, clientFor, startTestServer, uniqueName, type TestServer } from './helpers.js';

const FULL = { accessKeyId: 'AKIDFULL', secretAccessKey: 'full-secret', accountId: '111111111111' };
const READER = { accessKeyId: 'AKIDREADER', secretAccessKey: 'reader-secret', accountId: '111111111111', allow: ['cases:Get*', 'cases:List*'] };
// `?` matches one character and matching ignores case: this key may create and get, nothing else.
const GLOBBER = { accessKeyId: 'AKIDGLOB', secretAccessKey: 'glob-secret', accountId: '111111111111', allow: ['CASES:createdoma?n', 'cases:GetDomain'] };
const OTHER = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret', accountId: '222222222222' };

interface RawOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  service?: string;
  signingDate?: Date;
  /** false: sign without an x-amz-content-sha256 header, as some clients do. */
  applyChecksum?: boolean;
  /** Changes the request after signing it. */
  tamper?: (req: { path: string; headers: Record<string, string>; body?: string }) => void;
}

/** Signs a request like an SDK would, lets the test spoil it, and sends it. */
async function signedRequest(endpoint: string, method: string, path: string, body: string | undefined, opts: RawOptions = {}) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials: opts.credentials ?? FULL,
    region: opts.region ?? 'us-east-1',
    service: opts.service ?? 'cases',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: opts.applyChecksum,
  });
  const req = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const signed = await signer.sign(req, { signingDate: opts.signingDate });
  const sent = { path, headers: { ...(signed.headers as Record<string, string>) }, body };
  opts.tamper?.(sent);
  delete sent.headers.host; // fetch sets it from the URL
  const res = await fetch(`${endpoint}${sent.path}`, { method, headers: sent.headers, body: sent.body });
  const text = await res.text();
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: text ? JSON.parse(text) : undefined };
}

describe('strict mode', () => {
  let dir: string;
  let t: TestServer;
  let full: ConnectCasesClient;
  let reader: ConnectCasesClient;
  let other: ConnectCasesClient;
  let domainId: string;
  const listNames = async () => ((await full.send(new ListDomainsCommand({}))).domains ?? []).map((d) => d.name).sort();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-auth-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify({ credentials: [FULL, READER, GLOBBER, OTHER] }));
    t = await startTestServer({ credentialsFile });
    full = clientFor(t.server.endpoint, FULL);
    reader = clientFor(t.server.endpoint, READER);
    other = clientFor(t.server.endpoint, OTHER);
    domainId = (await full.send(new CreateDomainCommand({ name: 'strict-home' }))).domainId!;
  });
  after(async () => {
    for (const c of [full, reader, other]) c.destroy();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a client with the right credentials works, in the account of its key', async () => {
    const got = await full.send(new GetDomainCommand({ domainId }));
    assert.equal(got.name, 'strict-home');
    assert.equal(got.domainArn, `arn:aws:cases:us-east-1:111111111111:domain/${domainId}`);
    // A session token (temporary credentials) is signed along but not checked: the file holds long-term keys only.
    const withToken = clientFor(t.server.endpoint, { ...FULL, sessionToken: 'any-token' } as typeof FULL);
    assert.equal((await withToken.send(new GetDomainCommand({ domainId }))).name, 'strict-home');
    withToken.destroy();
  });

  test('an unknown access key is UnrecognizedClientException', async () => {
    const before = await listNames();
    const stranger = clientFor(t.server.endpoint, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'full-secret' });
    await assertError(stranger.send(new CreateDomainCommand({ name: uniqueName() })), 'UnrecognizedClientException', 403, /security token/);
    stranger.destroy();
    assert.deepEqual(await listNames(), before);
  });

  test('a wrong secret is InvalidSignatureException', async () => {
    const before = await listNames();
    const wrong = clientFor(t.server.endpoint, { accessKeyId: FULL.accessKeyId, secretAccessKey: 'not-the-secret' });
    await assertError(wrong.send(new CreateDomainCommand({ name: uniqueName() })), 'InvalidSignatureException', 403, /signature we calculated does not match/);
    wrong.destroy();
    assert.deepEqual(await listNames(), before);
  });

  test('a raw request signed with the right secret is accepted', async () => {
    const r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}');
    assert.equal(r.status, 200);
    assert.ok(r.json.domains.some((d: { domainId: string }) => d.domainId === domainId));
  });

  test('a body changed after signing is refused, with or without x-amz-content-sha256', async () => {
    const before = await listNames();
    const name = uniqueName();
    const tamperBody = (req: { body?: string }) => {
      req.body = JSON.stringify({ name: `${name}-x` });
    };
    let r = await signedRequest(t.server.endpoint, 'POST', '/domains', JSON.stringify({ name }), { tamper: tamperBody });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    // Without the hash header, the payload hash inside the signature still covers the body.
    r = await signedRequest(t.server.endpoint, 'POST', '/domains', JSON.stringify({ name }), { applyChecksum: false, tamper: tamperBody });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    assert.match(r.json.message, /signature we calculated does not match/);
    // ... and the same request untouched is accepted.
    r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', { applyChecksum: false });
    assert.equal(r.status, 200);
    assert.deepEqual(await listNames(), before);
  });

  test('a signed header changed after signing is refused', async () => {
    const r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', {
      tamper: (req) => {
        req.headers['content-type'] = 'application/x-amz-json-1.1';
      },
    });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
  });

  test('a path or query changed after signing is refused', async () => {
    for (const [path, changed] of [
      [`/domains/${domainId}`, '/domains/another-domain'],
      ['/domains-list?maxResults=5', '/domains-list?maxResults=6'],
      // A parameter named __proto__ must count like any other; X-Amz-Signature is left out of the canonical query.
      ['/domains-list?maxResults=5', '/domains-list?maxResults=5&__proto__=1'],
      ['/domains-list', '/domains-list?X-Amz-Signature=abc'],
    ]) {
      const r = await signedRequest(t.server.endpoint, 'POST', path, '{}', {
        tamper: (req) => {
          req.path = changed;
        },
      });
      assert.equal(r.status, 403, changed);
      assert.equal(r.errorType, 'InvalidSignatureException');
    }
  });

  test('a signed header sent on two lines verifies as SigV4 joins it (a,b), not as node:http does (a, b)', async () => {
    const url = new URL(t.server.endpoint);
    const signer = new SignatureV4({ credentials: FULL, region: 'us-east-1', service: 'cases', sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/domains-list', headers: { host: url.host, 'x-custom': 'a,b' }, body: '{}' }),
    );
    // fetch would join the two values itself; node:http sends each value of an array on a line of its own.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/domains-list', headers: { ...signed.headers, 'x-custom': ['a', 'b'] } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(status, 200);
  });

  test('a request signed 20 minutes in the past or in the future is refused', async () => {
    const before = await listNames();
    for (const offset of [-20, 20]) {
      const r = await signedRequest(t.server.endpoint, 'POST', '/domains', JSON.stringify({ name: uniqueName() }), {
        signingDate: new Date(Date.now() + offset * 60_000),
      });
      assert.equal(r.status, 403, `offset ${offset} minutes`);
      assert.equal(r.errorType, 'InvalidSignatureException');
      assert.match(r.json.message, /Signature expired/);
    }
    assert.deepEqual(await listNames(), before);
  });

  test('a credential scope with the wrong service or region is refused', async () => {
    let r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', { service: 'connectcases' });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    assert.match(r.json.message, /service: 'cases'/);
    r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', { region: 'eu-west-1' });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'InvalidSignatureException');
    assert.match(r.json.message, /eu-west-1.*Expected 'us-east-1'/);
    // An SDK client configured for another region signs for that region.
    const elsewhere = clientFor(t.server.endpoint, FULL, 'eu-west-1');
    await assertError(elsewhere.send(new ListDomainsCommand({})), 'InvalidSignatureException', 403);
    elsewhere.destroy();
  });

  test('a request without an Authorization header is refused with 403', async () => {
    const before = await listNames();
    const res = await fetch(`${t.server.endpoint}/domains`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: uniqueName() }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(await listNames(), before);
    // A presigned URL (a query-string signature) is not taken: the README says only the header is.
    const presigned = await fetch(
      `${t.server.endpoint}/domains-list?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDFULL%2F20260101%2Fus-east-1%2Fcases%2Faws4_request&X-Amz-Signature=${'0'.repeat(64)}`,
      { method: 'POST', body: '{}' },
    );
    assert.equal(presigned.status, 403);
    assert.equal(presigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  test('a malformed Authorization header or a missing X-Amz-Date is IncompleteSignatureException', async () => {
    let r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', {
      tamper: (req) => {
        req.headers.authorization = req.headers.authorization.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1');
      },
    });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'IncompleteSignatureException');
    r = await signedRequest(t.server.endpoint, 'POST', '/domains-list', '{}', {
      tamper: (req) => {
        delete req.headers['x-amz-date'];
      },
    });
    assert.equal(r.status, 403);
    assert.equal(r.errorType, 'IncompleteSignatureException');
    assert.match(r.json.message, /X-Amz-Date/);
  });

  test('a key allowed cases:Get* and cases:List* may read but not create', async () => {
    const before = await listNames();
    await assertAccessDenied(
      reader.send(new CreateDomainCommand({ name: uniqueName() })),
      /arn:aws:iam::111111111111:user\/AKIDREADER is not authorized to perform: cases:CreateDomain/,
    );
    assert.equal((await reader.send(new GetDomainCommand({ domainId }))).name, 'strict-home');
    assert.ok((await reader.send(new ListDomainsCommand({}))).domains!.some((d) => d.domainId === domainId));
    assert.deepEqual(await listNames(), before);
  });

  test('allow patterns are case-insensitive globs with * and ?', async () => {
    const globber = clientFor(t.server.endpoint, GLOBBER);
    const name = uniqueName('glob');
    const created = await globber.send(new CreateDomainCommand({ name }));
    assert.equal((await globber.send(new GetDomainCommand({ domainId: created.domainId }))).name, name);
    await assertAccessDenied(globber.send(new ListDomainsCommand({})), /cases:ListDomains/);
    globber.destroy();
  });

  test("another account's domain is not found, and its listing is its own", async () => {
    await assertNotFound(other.send(new GetDomainCommand({ domainId })), /Domain/);
    const mine = await other.send(new CreateDomainCommand({ name: 'strict-home' }));
    assert.match(mine.domainArn!, /^arn:aws:cases:us-east-1:222222222222:domain\//);
    const listed = (await other.send(new ListDomainsCommand({}))).domains!;
    assert.deepEqual(listed.map((d) => d.domainId), [mine.domainId]);
    await assertNotFound(full.send(new GetDomainCommand({ domainId: mine.domainId })));
  });

  test('query parameters with reserved characters, and repeated ones, verify (canonical query encoding and sorting)', async () => {
    const { fieldId } = await full.send(new CreateFieldCommand({ domainId, name: 'Topic', type: 'SingleSelect' }));
    await full.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: [{ name: 'Billing', value: 'billing', active: true }] }));
    let listed = await full.send(new ListFieldOptionsCommand({ domainId, fieldId, values: ['billing'] }));
    assert.deepEqual(listed.options!.map((o) => o.value), ['billing']);
    // No option has these values; what matters is that the signature over the encoded query verifies.
    for (const value of ['a b', 'x+y', 'ü/é', 'q=1&r', 'star*', '%41']) {
      listed = await full.send(new ListFieldOptionsCommand({ domainId, fieldId, values: [value] }));
      assert.deepEqual(listed.options, [], value);
    }
    // Repeated keys are sorted by value in the canonical query.
    const both = await full.send(new ListTemplatesCommand({ domainId, status: ['Inactive', 'Active'] }));
    assert.ok(Array.isArray(both.templates));
  });

  test('ARNs travel percent-encoded in /tags/{arn}, and the signature covers the encoded path', async () => {
    const { domainArn } = await full.send(new GetDomainCommand({ domainId }));
    await full.send(new TagResourceCommand({ arn: domainArn, tags: { team: 'support' } }));
    const path = `/tags/${encodeURIComponent(domainArn!)}`;
    assert.ok(path.includes('%3A') && path.includes('%2F'));
    const r = await signedRequest(t.server.endpoint, 'GET', path, undefined);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.tags, { team: 'support' });
    // The read-only key may list tags but not change them; another account does not see the domain at all.
    assert.deepEqual((await reader.send(new ListTagsForResourceCommand({ arn: domainArn }))).tags, { team: 'support' });
    await assertAccessDenied(reader.send(new TagResourceCommand({ arn: domainArn, tags: { team: 'x' } })), /cases:TagResource/);
    await assertNotFound(other.send(new TagResourceCommand({ arn: domainArn, tags: { team: 'x' } })));
    await assertNotFound(other.send(new ListTagsForResourceCommand({ arn: domainArn })));
    assert.deepEqual((await full.send(new ListTagsForResourceCommand({ arn: domainArn }))).tags, { team: 'support' });
  });
});

describe('listening on other hosts', () => {
  test('a non-loopback host without credentials is refused with a clear message', async () => {
    await assert.rejects(startServer({ host: '0.0.0.0' }), /Refusing to listen on 0\.0\.0\.0 without --credentials/);
  });

  test('a non-loopback host with credentials starts in strict mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencases-auth-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify({ credentials: [FULL] }));
    const server = await startServer({ host: '0.0.0.0', credentialsFile });
    try {
      const client = clientFor(`http://127.0.0.1:${server.port}`, FULL);
      assert.ok(Array.isArray((await client.send(new ListDomainsCommand({}))).domains));
      await assertError(
        clientFor(`http://127.0.0.1:${server.port}`, { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }).send(new ListDomainsCommand({})),
        'UnrecognizedClientException',
        403,
      );
      client.destroy();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a broken credentials file stops the start with the file and entry named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencases-auth-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify({ credentials: [{ ...FULL, accountId: '123' }] }));
    await assert.rejects(startServer({ credentialsFile }), /credentials\.json: credentials\[0\]\.accountId must be 12 digits/);
    writeFileSync(credentialsFile, '{not json');
    await assert.rejects(startServer({ credentialsFile }), /Cannot read credentials file/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('dev mode', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('a 12-digit access key id is the account; any other key is account 000000000000', async () => {
    const twelve = clientFor(t.server.endpoint, { accessKeyId: '123456789012', secretAccessKey: 'anything' });
    const mine = await twelve.send(new CreateDomainCommand({ name: 'dev-acct' }));
    assert.equal(mine.domainArn, `arn:aws:cases:us-east-1:123456789012:domain/${mine.domainId}`);
    const anon = await t.client.send(new CreateDomainCommand({ name: 'dev-acct' }));
    assert.equal(anon.domainArn, `arn:aws:cases:us-east-1:000000000000:domain/${anon.domainId}`);
    // Any secret is accepted in dev mode, but the account still separates the data.
    const sameAccountOtherSecret = clientFor(t.server.endpoint, { accessKeyId: '123456789012', secretAccessKey: 'different' });
    assert.equal((await sameAccountOtherSecret.send(new GetDomainCommand({ domainId: mine.domainId }))).name, 'dev-acct');
    await assertNotFound(t.client.send(new GetDomainCommand({ domainId: mine.domainId })));
    for (const c of [twelve, sameAccountOtherSecret]) c.destroy();
  });

  test('the Authorization header must still be a well-formed SigV4 header', async () => {
    const res = await fetch(`${t.server.endpoint}/domains-list`, { method: 'POST', headers: { authorization: 'Bearer abc' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'IncompleteSignatureException');
  });
});
