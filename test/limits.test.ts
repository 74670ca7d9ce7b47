/** Resource limits: slow clients are cut off, floods of connections neither exhaust memory nor block service. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { ListDomainsCommand } from '@aws-sdk/client-connectcases';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ headersTimeoutMs: 1500, requestTimeoutMs: 3000 });
});
after(() => t.close());

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    s.resume(); // read (and drop) whatever the server sends, so that its close is seen
  });

const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

test('a client that never finishes its headers is disconnected', async () => {
  const s = await open(t.server.port);
  s.write('POST /domains-list HTTP/1.1\r\nHost: x\r\n'); // and then nothing
  assert.equal(await closedWithin(s, 6000), true, 'the server closed the slow connection');
});

test('a client that trickles its body is disconnected at the request timeout', async () => {
  const s = await open(t.server.port);
  s.write('POST /domains HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  const timer = setInterval(() => s.writable && s.write(' '), 500);
  const closed = await closedWithin(s, 8000);
  clearInterval(timer);
  assert.equal(closed, true);
});

test('a flood of idle connections does not exhaust memory and the API keeps answering', async () => {
  const before = process.memoryUsage().rss;
  const sockets = await Promise.all(Array.from({ length: 1000 }, () => open(t.server.port)));
  for (const s of sockets) s.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // unfinished requests
  const res = await t.client.send(new ListDomainsCommand({}));
  assert.ok(Array.isArray(res.domains), 'the API answers while 1000 connections hang');
  const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
  assert.ok(grown < 150, `RSS grew by ${grown.toFixed(1)} MB for 1000 connections`);
  const closed = await Promise.all(sockets.map((s) => closedWithin(s, 8000)));
  assert.equal(closed.filter(Boolean).length, 1000, 'every hanging connection was cut off');
});
