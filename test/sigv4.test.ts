/**
 * The verifier has @smithy/signature-v4 build the canonical request and string to sign of the request as
 * received, and keeps the signing key of each date and region; these tests sign odd requests with the same
 * library's signer (the one the AWS JS SDKs use) and check that the verifier accepts exactly those signatures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { Authenticator, type SignedRequest } from '../src/auth/sigv4.js';
import { AuthError } from '../src/protocol/errors.js';

const cred = { accessKeyId: 'AKIDSIGV4TEST', secretAccessKey: 'sigv4-test-secret', accountId: '123456789012' };
const auth = new Authenticator({ region: 'eu-west-2', credentials: new Map([[cred.accessKeyId, cred]]) });

interface Case {
  method: string;
  /** Raw path as sent, percent-encoded. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  applyChecksum?: boolean;
}

async function signAndVerify(
  c: Case,
  tamper?: (r: SignedRequest) => void,
  opts: { verifier?: Authenticator; signingDate?: Date; secretAccessKey?: string } = {},
) {
  const body = c.body ?? '';
  const signer = new SignatureV4({
    credentials: { ...cred, secretAccessKey: opts.secretAccessKey ?? cred.secretAccessKey },
    region: 'eu-west-2',
    service: 'cases',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: c.applyChecksum ?? true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: c.method,
      protocol: 'http:',
      hostname: 'localhost',
      port: 4590,
      // The SDK hands the signer the encoded path, as it puts it on the wire.
      path: c.path,
      query: c.query,
      headers: { host: 'localhost:4590', 'content-type': 'application/json', ...c.headers },
      body: body || undefined,
    }),
    { signingDate: opts.signingDate },
  );
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(c.query ?? {})) for (const x of Array.isArray(v) ? v : [v]) query.append(k, x);
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req: SignedRequest = { method: c.method, rawPath: c.path, query, headers, body: Buffer.from(body) };
  tamper?.(req);
  return (opts.verifier ?? auth).authenticate(req, 'GetCase');
}

const cases: [string, Case][] = [
  ['a plain POST with a JSON body', { method: 'POST', path: '/domains/d-1/cases/c-1', body: '{"fields":[{"id":"title"}]}' }],
  ['no x-amz-content-sha256 header (botocore)', { method: 'POST', path: '/domains/d-1/cases', body: '{"a":1}', applyChecksum: false }],
  ['an empty body', { method: 'GET', path: '/domains/d-1/fields-list' }],
  ['a percent-encoded ARN label', { method: 'GET', path: '/tags/arn%3Aaws%3Acases%3Aeu-west-2%3A123456789012%3Adomain%2Fd-1' }],
  ['reserved characters in a label', { method: 'GET', path: "/domains/a%21b%27c%28d%29e%2Af%20g" }],
  ['a trailing slash', { method: 'POST', path: '/domains/d-1/rules-list/', body: '{}' }],
  ['dot segments', { method: 'GET', path: '/domains/./d-1/../d-2/cases' }],
  ['query members, repeated and reserved', { method: 'GET', path: '/domains', query: { maxResults: '5', nextToken: 'a+b/c=d&e', z: ['2', '1', '10'], 'a b': "it's" } }],
  ['header values with inner and outer whitespace', { method: 'POST', path: '/domains', body: '{}', headers: { 'x-custom': '  a   b\tc ' } }],
  ['non-ASCII in body and query', { method: 'POST', path: '/domains', query: { q: 'Zürich ☃' }, body: '{"name":"Zürich ☃"}' }],
  // JSON text: in a JavaScript object literal `__proto__:` would set the prototype, not add a parameter.
  ['a query parameter named __proto__', { method: 'GET', path: '/domains', query: JSON.parse('{"__proto__":"1","a":"2"}') }],
];

for (const [name, c] of cases) {
  test(`accepts what the SDK signer signs: ${name}`, async () => {
    const caller = await signAndVerify(c);
    assert.equal(caller.accountId, cred.accountId);
  });
}

test('refuses a signature over a different path, query, header or method', async () => {
  const c: Case = { method: 'POST', path: '/domains/d-1/cases/c-1', query: { a: '1' }, headers: { 'x-custom': 'v' }, body: '{}' };
  const changes: ((r: SignedRequest) => void)[] = [
    (r) => (r.rawPath = '/domains/d-1/cases/c-2'),
    (r) => r.query.set('a', '2'),
    (r) => (r.headers['x-custom'] = 'w'),
    (r) => (r.method = 'PUT'),
    (r) => r.query.append('__proto__', '1'),
    (r) => r.query.append('X-Amz-Signature', 'f'.repeat(64)),
  ];
  for (const change of changes) {
    await assert.rejects(signAndVerify(c, change), (e: unknown) => e instanceof AuthError && e.name === 'InvalidSignatureException');
  }
});

test('verifies requests signed on either side of midnight, each with the signing key of its date', async () => {
  const midnight = Date.UTC(2026, 10, 22);
  const verifier = new Authenticator({ region: 'eu-west-2', credentials: new Map([[cred.accessKeyId, cred]]), now: () => midnight });
  const c: Case = { method: 'POST', path: '/domains/d-1/cases/c-1', body: '{}' };
  // Alternating dates: a cached key of one date must never be used for the other.
  for (const offset of [-60_000, 60_000, -120_000, 120_000]) {
    const caller = await signAndVerify(c, undefined, { verifier, signingDate: new Date(midnight + offset) });
    assert.equal(caller.accountId, cred.accountId);
  }
});

test('refuses a wrong secret after the right one was verified (the cached key is not a free pass)', async () => {
  const c: Case = { method: 'POST', path: '/domains/d-1/cases/c-1', body: '{}' };
  await signAndVerify(c);
  await assert.rejects(
    signAndVerify(c, undefined, { secretAccessKey: 'not-the-secret' }),
    (e: unknown) => e instanceof AuthError && e.name === 'InvalidSignatureException',
  );
});
