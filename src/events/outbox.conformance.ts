/**
 * Conformance cases of the outbox part of the Store interface (fan-out, leases, per-case order, retries, dead
 * events, pruning), run against every backend by test/events-store.test.ts. `open` returns a store over an empty
 * database each time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OutboxEvent, Store } from '../store/types.js';

export type StoreFactory = () => Promise<Store>;

const event = (eventId: string, caseId: string): OutboxEvent => ({
  eventId,
  domainId: 'dom-1',
  caseId,
  createdTime: '2025-01-02T03:04:05.678Z',
  payload: JSON.stringify({ id: eventId }),
});

const T = 1_000_000;

export function outboxConformance(backend: string, open: StoreFactory): void {
  const it = (name: string, fn: (store: Store) => Promise<void>) =>
    test(name, async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  const write = (store: Store, ...events: OutboxEvent[]) =>
    store.write(async (tx) => {
      for (const e of events) await tx.insertOutboxEvent(e);
    });
  const claim = (store: Store, sink: string, now = T, limit = 10) =>
    store.write(async (tx) => {
      await tx.fanOutEvents(sink);
      return (await tx.claimDeliveries(sink, now, now + 5_000, limit)).map((d) => d.eventId);
    });

  describe(`Event outbox conformance: ${backend}`, () => {
    it('a sink receives every event once, with its payload; sinks are independent', async (store) => {
      await write(store, event('e1', 'c1'), event('e2', 'c2'));
      const claimed = await store.write(async (tx) => {
        assert.ok((await tx.fanOutEvents('s1')) > 0);
        return tx.claimDeliveries('s1', T, T + 5_000, 10);
      });
      assert.deepEqual(claimed.map((d) => [d.eventId, d.caseId, d.domainId, d.payload, d.attempts, d.status]), [
        ['e1', 'c1', 'dom-1', '{"id":"e1"}', 0, 'pending'],
        ['e2', 'c2', 'dom-1', '{"id":"e2"}', 0, 'pending'],
      ]);
      await store.write((tx) => tx.completeDelivery('s1', claimed[0].eventSeq));
      // Leased or delivered: nothing more for s1 now; s2 still gets both.
      assert.deepEqual(await claim(store, 's1'), []);
      assert.deepEqual(await claim(store, 's2'), ['e1', 'e2']);
    });

    it('per case, only the oldest queued event can be claimed', async (store) => {
      await write(store, event('a1', 'A'), event('b1', 'B'), event('a2', 'A'), event('a3', 'A'));
      const first = await store.write(async (tx) => {
        await tx.fanOutEvents('s');
        return tx.claimDeliveries('s', T, T + 5_000, 10);
      });
      assert.deepEqual(first.map((d) => d.eventId), ['a1', 'b1']);
      assert.deepEqual(await claim(store, 's'), [], 'a2 waits while a1 is in flight');
      await store.write((tx) => tx.completeDelivery('s', first[0].eventSeq));
      assert.deepEqual(await claim(store, 's'), ['a2']);
    });

    it('a lease expires; a failed attempt is retried from its next attempt time', async (store) => {
      await write(store, event('e1', 'c1'));
      const [d] = await store.write(async (tx) => {
        await tx.fanOutEvents('s');
        return tx.claimDeliveries('s', T, T + 5_000, 10);
      });
      assert.deepEqual(await claim(store, 's', T + 4_999), []);
      assert.deepEqual(await claim(store, 's', T + 5_000), ['e1'], 'claimable again once the lease ran out');
      await store.write((tx) => tx.failDelivery('s', d.eventSeq, { attempts: 1, nextAttemptAt: T + 60_000, dead: false, error: 'HTTP 503' }));
      assert.deepEqual(await claim(store, 's', T + 59_999), []);
      const again = await store.write((tx) => tx.claimDeliveries('s', T + 60_000, T + 65_000, 10));
      assert.deepEqual(again.map((x) => [x.eventId, x.attempts, x.lastError]), [['e1', 1, 'HTTP 503']]);
    });

    it('a dead event is listed, blocks its case, and can be requeued or discarded', async (store) => {
      await write(store, event('a1', 'A'), event('a2', 'A'), event('b1', 'B'));
      const claimed = await store.write(async (tx) => {
        await tx.fanOutEvents('s');
        return tx.claimDeliveries('s', T, T + 5_000, 10);
      });
      for (const d of claimed) {
        await store.write((tx) => tx.failDelivery('s', d.eventSeq, { attempts: 3, nextAttemptAt: T, dead: true, error: `gone ${d.eventId}` }));
      }
      const dead = await store.read((tx) => tx.listDeadDeliveries());
      assert.deepEqual(dead.map((d) => [d.sinkId, d.eventId, d.status, d.attempts, d.lastError]), [
        ['s', 'a1', 'dead', 3, 'gone a1'],
        ['s', 'b1', 'dead', 3, 'gone b1'],
      ]);
      assert.deepEqual(await claim(store, 's', T + 10_000), [], 'a2 waits behind the dead a1');
      assert.equal(await store.write((tx) => tx.requeueDeadDeliveries(['a1'])), 1);
      assert.deepEqual(await claim(store, 's', T + 10_000), ['a1']);
      assert.equal(await store.write((tx) => tx.discardDeadDeliveries()), 1);
      assert.deepEqual(await store.read((tx) => tx.listDeadDeliveries()), []);
      assert.equal(await store.write((tx) => tx.requeueDeadDeliveries()), 0);
    });

    it('pruning drops events every sink has fanned out and none still has queued', async (store) => {
      await write(store, event('e1', 'c1'), event('e2', 'c2'));
      const claimed = await store.write(async (tx) => {
        const cursor = await tx.fanOutEvents('s');
        const ds = await tx.claimDeliveries('s', T, T + 5_000, 10);
        await tx.completeDelivery('s', ds[0].eventSeq);
        await tx.pruneOutbox(cursor);
        return ds;
      });
      // e1 is gone for a sink that starts later; e2 is still queued for s and so still kept.
      assert.deepEqual(await claim(store, 'late'), ['e2']);
      await store.write((tx) => tx.failDelivery('s', claimed[1].eventSeq, { attempts: 1, nextAttemptAt: T, dead: false, error: 'x' }));
      assert.deepEqual(await claim(store, 's', T + 1), ['e2']);
    });
  });
}
