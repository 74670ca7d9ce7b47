/** The protocol layer seen from the wire: raw HTTP, where the SDK would hide what the server sent. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startServer } from '../src/server.js';
import { capturedLogger, startTestServer, DUMMY_CREDENTIALS, type TestServer } from './helpers.js';

const signer = new SignatureV4({ credentials: DUMMY_CREDENTIALS, region: 'us-east-1', service: 'cases', sha256: Hash.bind(null, 'sha256') });

/** Sends a signed raw request and returns status, headers and parsed body. */
export async function rawRequest(endpoint: string, method: string, path: string, body?: string, extraHeaders: Record<string, string> = {}) {
  const url = new URL(endpoint);
  const req = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, 'content-type': 'application/json', ...extraHeaders },
    body,
  });
  const signed = await signer.sign(req);
  const res = await fetch(`${endpoint}${path}`, { method, headers: signed.headers as Record<string, string>, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** POST '{}' through node:http, which sends the target and each value of an array header as given. */
function send(url: URL, target: string, headers: Record<string, string | string[]>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: target, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('protocol', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('GET /health answers without auth', async () => {
    const res = await fetch(`${t.server.endpoint}/health`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, 'ok');
    assert.ok(res.headers.get('x-amzn-requestid'));
  });

  test('malformed JSON is a 400 ValidationException, never a 500', async () => {
    for (const body of ['{', '[]', '"x"', 'null', '{"name":']) {
      const r = await rawRequest(t.server.endpoint, 'POST', '/domains', body);
      assert.equal(r.status, 400, body);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
      assert.equal(typeof r.json.message, 'string');
    }
  });

  test('wrong JSON types and unions with zero or two members are named', async () => {
    let r = await rawRequest(t.server.endpoint, 'POST', '/domains', JSON.stringify({ name: 5 }));
    assert.equal(r.status, 400);
    // One error for the one bad member: a required member of the wrong type is not also reported missing.
    assert.equal(r.json.message, "1 validation error detected: Value '5' at 'name' failed to satisfy constraint: Member must be a string");
    r = await rawRequest(t.server.endpoint, 'POST', '/domains', JSON.stringify({ name: null }));
    assert.equal(r.json.message, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
    r = await rawRequest(t.server.endpoint, 'POST', '/domains-list?maxResults=abc', '');
    assert.equal(r.status, 400);
    assert.match(r.json.message, /maxResults.*integer/);
  });

  test('values of sensitive shapes (CustomEntity, SlaName) are not repeated in validation messages', async () => {
    const body = JSON.stringify({ fields: [], performedBy: { customEntity: 'secret name!' } });
    const r = await rawRequest(t.server.endpoint, 'PUT', '/domains/d/cases/c', body);
    assert.equal(r.status, 400);
    assert.match(r.json.message, /^1 validation error detected: Value at 'performedBy\.customEntity' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    assert.ok(!r.json.message.includes('secret'), r.json.message);
    // Other strings still show their value.
    const other = await rawRequest(t.server.endpoint, 'PUT', '/domains/d/cases/c', JSON.stringify({ fields: [], performedBy: { userArn: 'x'.repeat(501) } }));
    assert.match(other.json.message, /Value 'xxx/);
  });

  test('unknown routes answer a named error and every response carries a request id', async () => {
    const r = await rawRequest(t.server.endpoint, 'GET', '/nothing-here');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.ok(r.headers.get('x-amzn-requestid'));
  });

  test("odd request targets: '//' paths are unknown operations, not 500s; an absolute-form target is routed", async () => {
    for (const path of ['//', '//@/health', '/\\']) {
      const r = await rawRequest(t.server.endpoint, 'POST', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException', path);
    }
    // The message names the path as received (it named the parsed one: '/' for '//domains-list').
    assert.match((await rawRequest(t.server.endpoint, 'POST', '//domains-list')).json.message, /matches POST \/\/domains-list$/);
    // RFC 9112 3.2.2: a server must accept the absolute form; the signature covers the path, as for the origin form.
    const url = new URL(t.server.endpoint);
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/domains-list', headers: { host: url.host }, body: '{}' }),
    );
    const answer = await send(url, `${t.server.endpoint}/domains-list`, signed.headers);
    assert.equal(answer.status, 200, answer.body);
    assert.ok(Array.isArray(JSON.parse(answer.body).domains));
  });

  test('a client that goes away mid-body is logged as 499, not as an unexpected error', async () => {
    const { logger, lines } = capturedLogger();
    const server = await startServer({ logger });
    try {
      const url = new URL(server.endpoint);
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('POST /domains HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'request'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(
        lines.filter((l) => l.msg === 'request').map((l) => l.status),
        [499],
      );
      assert.deepEqual(lines.filter((l) => l.level >= 50), []);
    } finally {
      await server.close();
    }
  });

  test('requests without an Authorization header are refused with 403', async () => {
    const res = await fetch(`${t.server.endpoint}/domains-list`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  test('bodies over the cap are refused with a ValidationException', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(7 * 1024 * 1024) });
    const res = await fetch(`${t.server.endpoint}/domains`, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cases/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) },
      body: big,
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match((await res.json()).message, /exceeds the limit/);
  });
});

describe('hostile nesting', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('a filter nested 100,000 levels deep is a ValidationException, not a stack overflow', async () => {
    const depth = 100_000;
    const filter = '{"not":'.repeat(depth) + '{"tag":{"equalTo":{"key":"k","value":"v"}}}' + '}'.repeat(depth);
    const r = await rawRequest(t.server.endpoint, 'POST', '/domains/d/cases-search', `{"filter":${filter}}`);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match(r.json.message, /nested more than 64 levels/);
  });
});
