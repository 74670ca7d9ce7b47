/**
 * A write waits for a lock held by another connection for up to 5 s by the clock (sqlite-store.ts, BUSY_TIMEOUT_MS),
 * also when signals cut SQLite's own sleeps short: under `node --cpu-prof`, whose profiler signals the thread every
 * millisecond, SQLite's busy timeout of 5 s ran out after ~70 ms and such writes failed with SQLITE_BUSY.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'oc-write-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a write waits out a lock held for a second, under a CPU profiler too', () => {
  const out = execFileSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', join(dir, 'profile'), '--import', 'tsx', join(import.meta.dirname, 'support', 'busy-writer.ts'), join(dir, 'data')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const result = JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; code?: string; ms: number };
  assert.equal(result.ok, true, `the write failed with ${result.code} after ${result.ms} ms`);
  assert.ok(result.ms >= 900, `the write went through after ${result.ms} ms, while the lock was held for 1000 ms`);
});
