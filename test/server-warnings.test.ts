/** Process warnings (how the stores report trouble in their background work) reach the server's structured log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startServer } from '../src/server.js';

test('a process warning is logged as a warn line while the server runs, and no longer once it is closed', async () => {
  const lines: { level: number; msg: string; warning?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const server = await startServer({ logger: pino({ level: 'info' }, sink) });
  const warned = () => lines.filter((l) => l.level === 40);
  try {
    process.emitWarning('search text indexing failed: disk I/O error');
    // Node emits warnings on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warned().map((l) => [l.msg, l.warning]),
      [['search text indexing failed: disk I/O error', 'Warning']],
    );
  } finally {
    await server.close();
  }
  process.emitWarning('after the server closed');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(warned().length, 1);
});
