/**
 * The SQLite store keeps resource rows in memory (sqlite-store.ts, resourceRows). Never served once stale: not after
 * the write that changed them was undone, not after a write of their own, not after another connection's commit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { ResourceRecord } from '../src/store/types.js';

const field = (name: string): ResourceRecord => ({ kind: 'field', scope: 'dom-1', id: 'f-1', name, deleted: false, data: { name } });
const nameOf = (store: SqliteStore) => store.read(async (tx) => (await tx.getResource<{ name: string }>('field', 'dom-1', 'f-1'))?.data.name);

test('a resource read before it exists is found once written, and each write is served at once', async () => {
  const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
  try {
    assert.equal(await nameOf(store), undefined);
    await store.write((tx) => tx.putResource(field('first')));
    assert.equal(await nameOf(store), 'first');
    await store.write((tx) => tx.putResource(field('second')));
    assert.equal(await nameOf(store), 'second');
    await store.write((tx) => tx.deleteDomainData('acct', 'dom-1', 'arn:dom-1'));
    assert.equal(await nameOf(store), undefined);
  } finally {
    await store.close();
  }
});

test('what a failed write read of its own resource write is not served after the write was undone', async () => {
  const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
  try {
    await store.write((tx) => tx.putResource(field('kept')));
    assert.equal(await nameOf(store), 'kept');
    // In one group: the failing write reads its own change (and the store keeps that row), then is undone alone.
    const failing = store.write(async (tx) => {
      await tx.putResource(field('undone'));
      assert.equal((await tx.getResource<{ name: string }>('field', 'dom-1', 'f-1'))?.data.name, 'undone');
      throw new Error('refused');
    });
    const next = store.write(async (tx) => (await tx.getResource<{ name: string }>('field', 'dom-1', 'f-1'))?.data.name);
    await assert.rejects(failing, /refused/);
    assert.equal(await next, 'kept');
    assert.equal(await nameOf(store), 'kept');
  } finally {
    await store.close();
  }
});

test('a resource another connection writes is served as it wrote it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-resources-'));
  const store = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
  const other = new SqliteStore({ dataDir: dir, textIndexDelayMs: false });
  try {
    await store.write((tx) => tx.putResource(field('mine')));
    assert.equal(await nameOf(store), 'mine');
    await other.write((tx) => tx.putResource(field('theirs')));
    assert.equal(await nameOf(store), 'theirs');
    await other.write((tx) => tx.deleteDomainData('acct', 'dom-1', 'arn:dom-1'));
    assert.equal(await nameOf(store), undefined);
  } finally {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a caller changing the record it got changes nothing for the next', async () => {
  const store = new SqliteStore({ dataDir: ':memory:', textIndexDelayMs: false });
  try {
    await store.write((tx) => tx.putResource(field('as stored')));
    await store.read(async (tx) => {
      const r = await tx.getResource<{ name: string }>('field', 'dom-1', 'f-1');
      r!.data.name = 'changed in memory';
    });
    assert.equal(await nameOf(store), 'as stored');
  } finally {
    await store.close();
  }
});
