/** Short form of the crash-safety proof (the long form, 20+ cycles, is `npm run reliability`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashCycles } from './support/crash.js';

test('SIGKILL under concurrent writes loses no acknowledged write and leaves nothing half-written', { timeout: 240_000 }, async () => {
  const r = await runCrashCycles({ cycles: 3, seed: Number(process.env.CRASH_SEED ?? 11) });
  assert.equal(r.cycles, 3);
  assert.ok(r.acknowledgedWrites > 20, `the load did real work (${r.acknowledgedWrites} acknowledged writes)`);
  assert.deepEqual(r.lostWrites, []);
  assert.deepEqual(r.auditMismatches, []);
  assert.deepEqual(r.searchMismatches, []);
  assert.deepEqual(r.halfWritten, []);
  assert.equal(r.integrity, 'ok');
});
