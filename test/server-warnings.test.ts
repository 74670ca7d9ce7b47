/** Process warnings (how the stores report trouble in their background work) reach the server's structured log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../src/server.js';
import { capturedLogger } from './helpers.js';

test('a process warning is logged as a warn line while the server runs, and no longer once it is closed', async () => {
  const { logger, lines } = capturedLogger();
  const server = await startServer({ logger });
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
