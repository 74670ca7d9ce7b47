/** src/ids.ts: time-ordered UUIDs with random bits from a refilled pool. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from '../src/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids are distinct version 7 UUIDs across several refills of the pool, carrying the time they were made', () => {
  const before = Date.now();
  const ids = Array.from({ length: 2_000 }, () => newId());
  const after = Date.now();
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.match(id, V7);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(ms >= before && ms <= after, `${id} made at ${ms}, outside ${before}..${after}`);
  }
});

test('an id made in a later millisecond sorts after an earlier one', async () => {
  const first = newId();
  await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(newId() > first);
});
