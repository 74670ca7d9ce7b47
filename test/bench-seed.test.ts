/** The seed's case maker (bench/seed-cases.ts): its fast time formatting and the cases it makes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CUSTOM_FIELDS, caseMaker, isoTime } from '../bench/seed-cases.js';

test('isoTime formats a time as Date.prototype.toISOString does', () => {
  const DAY = 86_400_000;
  const times = [0, DAY - 1, DAY, Date.parse('2024-02-29T23:59:59.999Z'), Date.parse('2026-11-01T00:00:00.000Z')];
  let x = 12345;
  for (let i = 0; i < 100_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    times.push(Math.floor((x / 2 ** 31) * 4.1e12));
  }
  for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
});

test('the seed makes the same cases every time, in creation order, with time-ordered ids', () => {
  const fields = Object.fromEntries(CUSTOM_FIELDS.map((f) => [f.name, `field-${f.name}`]));
  const target = { domainId: 'd', templateId: 't', fields, total: 1000 };
  const a = caseMaker(target);
  const b = caseMaker(target);
  let previous = '';
  for (let i = 0; i < target.total; i++) {
    const c = a(i);
    assert.deepEqual(b(i), c);
    assert.ok(c.createdTime > previous || c.createdTime === previous, `case ${i} is not after case ${i - 1}`);
    previous = c.createdTime;
    assert.match(c.caseId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // A version 7 id carries its creation time in its first 48 bits.
    assert.equal(parseInt(c.caseId.replace(/-/g, '').slice(0, 12), 16), Date.parse(c.createdTime));
    assert.equal(c.fields.created_datetime.stringValue, c.createdTime);
    assert.equal(c.fields.last_updated_datetime.stringValue, c.lastUpdatedTime);
    assert.ok(c.lastUpdatedTime >= c.createdTime);
    assert.equal(c.fields.last_closed_datetime !== undefined, c.fields.status.stringValue === 'closed');
    assert.equal(c.referenceNumber, String(10_000_000 + i));
    assert.ok(Object.keys(c.fields).every((id) => id !== 'undefined'), 'every value belongs to a named field');
  }
});
