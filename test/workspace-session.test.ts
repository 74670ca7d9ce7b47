/** The workspace's server side: sign-in, session cookies, /ui-api calls through the normal pipeline, the built app. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ConnectCasesClient,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateTemplateCommand,
  GetCaseAuditEventsCommand,
  ListDomainsCommand,
} from '@aws-sdk/client-connectcases';
import { startServer, type RunningServer } from '../src/server.js';
import { hashPassword, verifyPassword } from '../src/web/passwords.js';
import { loadCredentials } from '../src/auth/credentials.js';
import { assertError } from './helpers.js';

const ACCOUNT = '111122223333';
const ALICE_ARN = `arn:aws:connect:us-east-1:${ACCOUNT}:instance/i-1/agent/alice`;
const OTHER_ARN = `arn:aws:connect:us-east-1:${ACCOUNT}:instance/i-1/agent/mallory`;
const H = { 'x-opencases-workspace': '1', 'content-type': 'application/json' };

/** An SDK client of the workspace API: the session cookie and the workspace header instead of a signature. */
function workspaceClient(endpoint: string, cookie?: string, header = true): ConnectCasesClient {
  const client = new ConnectCasesClient({
    endpoint: `${endpoint}/ui-api`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'ignored', secretAccessKey: 'ignored' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      if (header) headers['x-opencases-workspace'] = '1';
      if (cookie) headers.cookie = cookie;
      return next(args);
    },
    { step: 'build', name: 'workspaceSession' },
  );
  return client;
}

async function caseAuditUser(client: ConnectCasesClient, domainId: string, performedBy: string) {
  const { templateId } = await client.send(new CreateTemplateCommand({ domainId, name: `t-${Math.random()}`, status: 'Active' }));
  const { caseId } = await client.send(
    new CreateCaseCommand({ domainId, templateId: templateId!, fields: [{ id: 'title', value: { stringValue: 'x' } }], performedBy: { userArn: performedBy } }),
  );
  const audit = await client.send(new GetCaseAuditEventsCommand({ domainId, caseId: caseId! }));
  return audit.auditEvents![0]!.performedBy!;
}

describe('workspace sessions, strict mode', () => {
  let dir: string;
  let server: RunningServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-ws-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        credentials: [{ accessKeyId: 'AKID1', secretAccessKey: 's1', accountId: ACCOUNT }],
        users: [{ username: 'alice', passwordHash: await hashPassword('alice-password'), accountId: ACCOUNT, userArn: ALICE_ARN }],
      }),
    );
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>workspace</title>');
    mkdirSync(join(dir, 'web', 'assets'));
    writeFileSync(join(dir, 'web', 'assets', 'app-1234.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
    writeFileSync(join(dir, 'secret.txt'), 'outside the web root');
    server = await startServer({ credentialsFile, signInFailureDelayMs: 5, webRoot: join(dir, 'web') });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (username: string, password: string, headers: Record<string, string> = H) =>
    fetch(`${server.endpoint}/ui-api/session`, { method: 'POST', headers, body: JSON.stringify({ username, password }) });

  test('a wrong password and an unknown user get the same answer; neither sets a cookie', async () => {
    const wrong = await signIn('alice', 'not-her-password');
    const unknown = await signIn('bob', 'alice-password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());
    assert.equal(wrong.headers.get('set-cookie'), null);
    assert.equal(unknown.headers.get('set-cookie'), null);
  });

  test('a flood of sign-in attempts is queued up to a bound and the rest refused, without touching real sign-ins', async () => {
    // Each check holds 32 MiB: a few run at once, a bounded number wait, and the others are answered 503 at once.
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => signIn(`flood-${i}`, 'wrong password')));
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.text()));
    assert.ok(statuses.includes(503), 'some attempts are refused');
    assert.ok(statuses.every((s) => s === 401 || s === 503), `only 401 and 503: ${[...new Set(statuses)]}`);
    assert.equal((await signIn('alice', 'alice-password')).status, 200);
  });

  test('sign-in needs the workspace header, so another site cannot post the form', async () => {
    const r = await signIn('alice', 'alice-password', { 'content-type': 'application/json' });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('set-cookie'), null);
  });

  test('a session runs API calls as its user, records the user as performedBy, and ends on sign-out', async () => {
    const r = await signIn('alice', 'alice-password');
    assert.equal(r.status, 200);
    assert.equal((await r.json()).user.userArn, ALICE_ARN);
    const setCookie = r.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0];

    const me = await fetch(`${server.endpoint}/ui-api/session`, { headers: { ...H, cookie } });
    assert.equal((await me.json()).user.username, 'alice');

    const client = workspaceClient(server.endpoint, cookie);
    const { domainArn, domainId } = await client.send(new CreateDomainCommand({ name: 'alice-domain' }));
    assert.ok(domainArn!.includes(`:${ACCOUNT}:`), 'the domain belongs to the user’s account');
    // The browser claims to be someone else: the server records the signed-in user regardless.
    const performedBy = await caseAuditUser(client, domainId!, OTHER_ARN);
    assert.equal(performedBy.user?.userArn, ALICE_ARN);
    assert.equal(performedBy.iamPrincipalArn, `arn:aws:sts::${ACCOUNT}:assumed-role/opencases-workspace/alice`);

    await assertError(workspaceClient(server.endpoint, cookie, false).send(new ListDomainsCommand({})), 'MissingAuthenticationTokenException', 403, /x-opencases-workspace/);
    await assertError(workspaceClient(server.endpoint).send(new ListDomainsCommand({})), 'MissingAuthenticationTokenException', 403, /Not signed in/);

    const out = await fetch(`${server.endpoint}/ui-api/session`, { method: 'DELETE', headers: { ...H, cookie } });
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    await assertError(client.send(new ListDomainsCommand({})), 'MissingAuthenticationTokenException', 403);
    client.destroy();
  });

  test('browsers get the app for any page; API clients keep the API’s 404; nothing outside the web root is served', async () => {
    const page = await fetch(`${server.endpoint}/d/some-domain/cases?q=x`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>workspace<\/title>/);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
    const asset = await fetch(`${server.endpoint}/assets/app-1234.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    assert.ok(Number(asset.headers.get('content-length')) < 1000, 'sent compressed');
    assert.match(asset.headers.get('cache-control')!, /immutable/);
    assert.equal(await asset.text(), `console.log(${JSON.stringify('x'.repeat(5000))});`);
    const api = await fetch(`${server.endpoint}/d/some-domain`);
    assert.equal(api.status, 404);
    assert.equal(api.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    // fetch() would normalise the dots away; node:http sends the path as written.
    const escaped = await new Promise<string>((resolve, reject) => {
      const req = request(`${server.endpoint}/..%2fsecret.txt`, { headers: { accept: 'text/html' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.match(escaped, /<title>workspace<\/title>/, 'the app page, not the file outside');
  });
});

describe('workspace sessions, dev mode', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('no sign-in: the workspace is the documented default agent', async () => {
    const r = await fetch(`${server.endpoint}/ui-api/session`, { headers: H });
    const body = await r.json();
    assert.equal(body.mode, 'dev');
    assert.equal(body.user.userArn, 'arn:aws:connect:us-east-1:000000000000:instance/opencases/agent/dev-agent');
    const client = workspaceClient(server.endpoint);
    const { domainId } = await client.send(new CreateDomainCommand({ name: 'dev-domain' }));
    const performedBy = await caseAuditUser(client, domainId!, OTHER_ARN);
    assert.equal(performedBy.user?.userArn, body.user.userArn);
    const signIn = await fetch(`${server.endpoint}/ui-api/session`, { method: 'POST', headers: H, body: '{"username":"a","password":"b"}' });
    assert.equal(signIn.status, 400);
    client.destroy();
  });
});

describe('workspace users and passwords', () => {
  test('scrypt hashes verify only their own password and are salted', async () => {
    const a = await hashPassword('one password');
    const b = await hashPassword('one password');
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword('one password', a), true);
    assert.equal(await verifyPassword('another password', a), false);
    assert.equal(await verifyPassword('one password', 'scrypt$99999999$8$1$AAAA$AAAA'), false);
  });

  test('opencases hash-password reads the password from stdin and prints a hash of it', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const hashOf = (input: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', cli, 'hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out, err }));
        child.stdin.end(input);
      });
    const ok = await hashOf('a long enough password\n');
    assert.equal(ok.code, 0, ok.err);
    assert.equal(await verifyPassword('a long enough password', ok.out.trim()), true);
    const short = await hashOf('short\n');
    assert.equal(short.code, 2);
    assert.match(short.err, /at least 8 characters/);
  });

  test('the credentials file names a bad user entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencases-users-'));
    try {
      const file = join(dir, 'c.json');
      const user = { username: 'alice', passwordHash: 'scrypt$16$8$1$AAAA$AAAA', accountId: ACCOUNT, userArn: ALICE_ARN };
      writeFileSync(file, JSON.stringify({ credentials: [], users: [user] }));
      assert.equal(loadCredentials(file).users.get('alice')?.userArn, ALICE_ARN);
      writeFileSync(file, JSON.stringify({ credentials: [], users: [{ ...user, userArn: 'arn:aws:iam::111122223333:user/alice' }] }));
      assert.throws(() => loadCredentials(file), /users\[0\]\.userArn must be an Amazon Connect user ARN/);
      writeFileSync(file, JSON.stringify({ credentials: [], users: [{ ...user, passwordHash: 'plain' }] }));
      assert.throws(() => loadCredentials(file), /users\[0\]\.passwordHash must be the output of 'opencases hash-password'/);
      writeFileSync(file, JSON.stringify({ credentials: [], users: [user, user] }));
      assert.throws(() => loadCredentials(file), /users\[1\]: username alice appears twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
