/**
 * The one conformance suite of the Store interface. Every backend runs it (test/store-sqlite.test.ts,
 * test/store-postgres.test.ts) with the same cases and the same expectations, so a behaviour a handler relies
 * on holds whichever database serves it. `open` must return a store over an empty database each time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CaseRecord, CaseSearchPosition, RelatedItemRecord, ResourceRecord, Store, Tx } from './types.js';

export type StoreFactory = () => Promise<Store>;

async function withStore(open: StoreFactory, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const resource = (id: string, extra: Partial<ResourceRecord> = {}): ResourceRecord => ({
  kind: 'field',
  scope: 'dom-1',
  id,
  name: `name-${id}`,
  deleted: false,
  data: { fieldId: id, name: `name-${id}` },
  ...extra,
});

const aCase = (caseId: string, extra: Partial<CaseRecord> = {}): CaseRecord => ({
  domainId: 'dom-1',
  caseId,
  templateId: 'tpl-1',
  referenceNumber: `ref-${caseId}`,
  createdTime: '2025-01-02T03:04:05.678Z',
  lastUpdatedTime: '2025-01-02T03:04:05.678Z',
  fields: { title: { stringValue: `case ${caseId}` }, priority: { doubleValue: 2.5 }, urgent: { booleanValue: true }, empty: { emptyValue: {} } },
  tags: { team: 'blue' },
  ...extra,
});

const relatedItem = (caseId: string, relatedItemId: string, extra: Partial<RelatedItemRecord> = {}): RelatedItemRecord => ({
  domainId: 'dom-1',
  caseId,
  relatedItemId,
  type: 'Comment',
  associationTime: '2025-01-02T03:04:05.000Z',
  content: { comment: { body: `body of ${relatedItemId}`, contentType: 'Text/Plain' } },
  performedBy: { userArn: 'arn:aws:connect:us-east-1:111122223333:instance/i/agent/a' },
  searchKey: null,
  ...extra,
});

const ids = (records: { id?: string; relatedItemId?: string }[]) => records.map((r) => r.id ?? r.relatedItemId);

export function storeConformance(backend: string, open: StoreFactory): void {
  const it = (name: string, fn: (store: Store) => Promise<void>) => test(name, () => withStore(open, fn));

  describe(`Store conformance: ${backend}`, () => {
    describe('meta', () => {
      it('sets, reads and overwrites a key', async (store) => {
        assert.equal(await store.read((tx) => tx.getMeta('k')), undefined);
        await store.write((tx) => tx.setMeta('k', 'one'));
        await store.write((tx) => tx.setMeta('k', 'two'));
        assert.equal(await store.read((tx) => tx.getMeta('k')), 'two');
      });
    });

    describe('resources', () => {
      it('puts and gets a document exactly as given, key order and unusual characters included', async (store) => {
        const data = { zeta: 1, alpha: 'é ü 漢字 🎉', nul: 'a\u0000b', nested: { list: [1, 2.5, -0.125, 1e300], t: true, n: null }, quote: '"\\' };
        await store.write((tx) => tx.putResource(resource('f1', { data })));
        const got = await store.read((tx) => tx.getResource('field', 'dom-1', 'f1'));
        assert.ok(got);
        assert.deepEqual(got.data, data);
        assert.deepEqual(Object.keys(got.data as object), Object.keys(data));
        assert.equal(got.name, 'name-f1');
        // Keys that name Object.prototype members stay plain own keys.
        const tricky = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": 1}');
        await store.write((tx) => tx.putResource(resource('f2', { data: tricky })));
        const back = (await store.read((tx) => tx.getResource('field', 'dom-1', 'f2')))?.data as Record<string, unknown>;
        assert.deepEqual(Object.keys(back), ['__proto__', 'constructor', 'toString']);
        assert.deepEqual(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, { polluted: true });
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(got.deleted, false);
        assert.equal(typeof got.seq, 'number');
      });

      it('keys resources by kind, scope and id', async (store) => {
        await store.write(async (tx) => {
          await tx.putResource(resource('x'));
          await tx.putResource(resource('x', { kind: 'layout', data: { layout: true } }));
          await tx.putResource(resource('x', { scope: 'dom-2', data: { other: true } }));
        });
        await store.read(async (tx) => {
          assert.deepEqual((await tx.getResource('field', 'dom-1', 'x'))?.data, { fieldId: 'x', name: 'name-x' });
          assert.deepEqual((await tx.getResource('layout', 'dom-1', 'x'))?.data, { layout: true });
          assert.deepEqual((await tx.getResource('field', 'dom-2', 'x'))?.data, { other: true });
          assert.equal(await tx.getResource('field', 'dom-3', 'x'), undefined);
          assert.equal(await tx.getResource('template', 'dom-1', 'x'), undefined);
        });
      });

      it('replaces name, deleted and data of an existing resource and keeps its place in listings', async (store) => {
        await store.write(async (tx) => {
          await tx.putResource(resource('a'));
          await tx.putResource(resource('b'));
        });
        const before = await store.read((tx) => tx.getResource('field', 'dom-1', 'a'));
        await store.write((tx) => tx.putResource(resource('a', { name: 'renamed', data: { v: 2 } })));
        const after = await store.read((tx) => tx.getResource('field', 'dom-1', 'a'));
        assert.equal(after?.seq, before?.seq);
        assert.equal(after?.name, 'renamed');
        assert.deepEqual(after?.data, { v: 2 });
        const list = await store.read((tx) => tx.listResources('field', 'dom-1', { limit: 10 }));
        assert.deepEqual(ids(list), ['a', 'b']);
      });

      it('finds a live resource by exact name, never a deleted one', async (store) => {
        await store.write(async (tx) => {
          await tx.putResource(resource('live', { name: 'Status' }));
          await tx.putResource(resource('gone', { name: 'Old', deleted: true }));
        });
        await store.read(async (tx) => {
          assert.equal((await tx.findResourceByName('field', 'dom-1', 'Status'))?.id, 'live');
          assert.equal(await tx.findResourceByName('field', 'dom-1', 'status'), undefined);
          assert.equal(await tx.findResourceByName('field', 'dom-1', 'Status '), undefined);
          assert.equal(await tx.findResourceByName('field', 'dom-1', 'Old'), undefined);
          assert.equal(await tx.findResourceByName('field', 'dom-2', 'Status'), undefined);
        });
        await store.write((tx) => tx.putResource(resource('live', { name: 'Status', deleted: true })));
        assert.equal(await store.read((tx) => tx.findResourceByName('field', 'dom-1', 'Status')), undefined);
      });

      it('finds by a name holding U+0000, and a U+0000 in an id never reaches another resource', async (store) => {
        await store.write((tx) => tx.putResource(resource('nul', { name: 'a\u0000b', data: { name: 'a\u0000b' } })));
        await store.read(async (tx) => {
          const found = await tx.findResourceByName('field', 'dom-1', 'a\u0000b');
          assert.equal(found?.id, 'nul');
          assert.deepEqual(found?.data, { name: 'a\u0000b' });
          assert.equal(await tx.findResourceByName('field', 'dom-1', 'a'), undefined);
          assert.equal(await tx.getResource('field', 'dom-1', 'nul\u0000'), undefined);
        });
      });

      it('lists in insertion order, page by page, with or without soft-deleted ones, and counts them', async (store) => {
        await store.write(async (tx) => {
          for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) await tx.putResource(resource(id, { deleted: id === 'r2' || id === 'r4' }));
          await tx.putResource(resource('elsewhere', { scope: 'dom-2' }));
        });
        await store.read(async (tx) => {
          const all = await tx.listResources('field', 'dom-1', { limit: 10, includeDeleted: true });
          assert.deepEqual(ids(all), ['r1', 'r2', 'r3', 'r4', 'r5']);
          assert.deepEqual(
            all.map((r) => r.deleted),
            [false, true, false, true, false],
          );
          const live = await tx.listResources('field', 'dom-1', { limit: 10 });
          assert.deepEqual(ids(live), ['r1', 'r3', 'r5']);
          const first = await tx.listResources('field', 'dom-1', { limit: 2, includeDeleted: true });
          assert.deepEqual(ids(first), ['r1', 'r2']);
          const second = await tx.listResources('field', 'dom-1', { limit: 2, includeDeleted: true, afterSeq: first[1].seq });
          assert.deepEqual(ids(second), ['r3', 'r4']);
          const livePage = await tx.listResources('field', 'dom-1', { limit: 1, afterSeq: live[0].seq });
          assert.deepEqual(ids(livePage), ['r3']);
          assert.deepEqual(await tx.listResources('field', 'dom-1', { limit: 5, afterSeq: all[4].seq }), []);
          assert.equal(await tx.countResources('field', 'dom-1', true), 5);
          assert.equal(await tx.countResources('field', 'dom-1', false), 3);
          assert.equal(await tx.countResources('field', 'dom-2', false), 1);
          assert.equal(await tx.countResources('layout', 'dom-1', true), 0);
        });
      });
    });

    describe('tags', () => {
      it('reads nothing for an untagged ARN, then the latest tag map put', async (store) => {
        const arn = 'arn:aws:cases:us-east-1:111122223333:domain/d1';
        assert.equal(await store.read((tx) => tx.getTags(arn)), undefined);
        await store.write((tx) => tx.putTags(arn, { a: '1', b: '' }));
        assert.deepEqual(await store.read((tx) => tx.getTags(arn)), { a: '1', b: '' });
        await store.write((tx) => tx.putTags(arn, {}));
        assert.deepEqual(await store.read((tx) => tx.getTags(arn)), {});
        assert.equal(await store.read((tx) => tx.getTags(`${arn}/field/f`)), undefined);
      });
    });

    describe('cases', () => {
      it('inserts and reads a case back exactly, timestamps as the same strings', async (store) => {
        const c = aCase('c1');
        await store.write((tx) => tx.insertCase(c));
        assert.deepEqual(await store.read((tx) => tx.getCase('dom-1', 'c1')), c);
        assert.equal(await store.read((tx) => tx.getCase('dom-2', 'c1')), undefined);
        assert.equal(await store.read((tx) => tx.getCase('dom-1', 'c2')), undefined);
      });

      it('updates a case with changed and cleared values', async (store) => {
        await store.write((tx) => tx.insertCase(aCase('c1')));
        const updated = aCase('c1', {
          templateId: 'tpl-2',
          lastUpdatedTime: '2025-02-03T04:05:06.789Z',
          fields: { title: { stringValue: 'new title' }, owner: { userArnValue: 'arn:aws:connect:::user/u' }, empty: { emptyValue: {} } },
          tags: { team: 'red', extra: 'x' },
        });
        await store.write((tx) => tx.updateCase(updated, ['title', 'priority', 'urgent', 'owner']));
        const got = await store.read((tx) => tx.getCase('dom-1', 'c1'));
        assert.deepEqual(got, updated);
        assert.equal(got?.createdTime, '2025-01-02T03:04:05.678Z');
        assert.equal(got?.referenceNumber, 'ref-c1');
      });

      it('knows which reference numbers are taken, per domain, and refuses a duplicate', async (store) => {
        await store.write((tx) => tx.insertCase(aCase('c1', { referenceNumber: '12345678' })));
        await store.read(async (tx) => {
          assert.equal(await tx.referenceNumberTaken('dom-1', '12345678'), true);
          assert.equal(await tx.referenceNumberTaken('dom-1', '12345679'), false);
          assert.equal(await tx.referenceNumberTaken('dom-2', '12345678'), false);
        });
        await assert.rejects(store.write((tx) => tx.insertCase(aCase('c2', { referenceNumber: '12345678' }))));
        await store.write((tx) => tx.insertCase(aCase('c2', { domainId: 'dom-2', referenceNumber: '12345678' })));
        assert.equal(await store.read((tx) => tx.getCase('dom-1', 'c2')), undefined);
      });

      it('deletes a case with its audit events, idempotency records and related items, and nothing else', async (store) => {
        await store.write(async (tx) => {
          for (const id of ['c1', 'c2']) {
            await tx.insertCase(aCase(id));
            await tx.appendAudit({ domainId: 'dom-1', caseId: id, event: { eventId: `e-${id}` } });
            await tx.putIdempotency({ domainId: 'dom-1', token: `tok-${id}`, requestHash: 'h', caseId: id, createdTime: '2025-01-01T00:00:00Z' });
            await tx.insertRelatedItem(relatedItem(id, `ri-${id}`));
          }
        });
        await store.write((tx) => tx.deleteCase('dom-1', 'c1'));
        await store.read(async (tx) => {
          assert.equal(await tx.getCase('dom-1', 'c1'), undefined);
          assert.deepEqual(await tx.listAudit('dom-1', 'c1', { limit: 10 }), []);
          assert.equal(await tx.getIdempotency('dom-1', 'tok-c1'), undefined);
          assert.equal(await tx.getRelatedItem('dom-1', 'c1', 'ri-c1'), undefined);
          assert.equal(await tx.countRelatedItems('dom-1', 'c1'), 0);
          assert.equal(await tx.referenceNumberTaken('dom-1', 'ref-c1'), false);
          assert.ok(await tx.getCase('dom-1', 'c2'));
          assert.equal((await tx.listAudit('dom-1', 'c2', { limit: 10 })).length, 1);
          assert.ok(await tx.getIdempotency('dom-1', 'tok-c2'));
          assert.ok(await tx.getRelatedItem('dom-1', 'c2', 'ri-c2'));
        });
      });
    });

    describe('idempotency', () => {
      it('stores a token per domain and overwrites it', async (store) => {
        const rec = { domainId: 'dom-1', token: 'tok', requestHash: 'hash-1', caseId: 'c1', createdTime: '2025-01-01T00:00:00.000Z' };
        await store.write((tx) => tx.putIdempotency(rec));
        assert.deepEqual(await store.read((tx) => tx.getIdempotency('dom-1', 'tok')), rec);
        assert.equal(await store.read((tx) => tx.getIdempotency('dom-2', 'tok')), undefined);
        const newer = { ...rec, requestHash: 'hash-2', caseId: 'c2', createdTime: '2025-01-01T00:10:00.000Z' };
        await store.write((tx) => tx.putIdempotency(newer));
        assert.deepEqual(await store.read((tx) => tx.getIdempotency('dom-1', 'tok')), newer);
      });
    });

    describe('audit', () => {
      it('lists a case’s events newest first, page by page', async (store) => {
        await store.write(async (tx) => {
          for (let i = 1; i <= 5; i++) {
            await tx.appendAudit({ domainId: 'dom-1', caseId: 'c1', event: { eventId: `e${i}`, fields: [{ fieldId: 'f', newValue: { doubleValue: i } }] } });
            await tx.appendAudit({ domainId: 'dom-1', caseId: 'other', event: { eventId: `o${i}` } });
          }
        });
        await store.read(async (tx) => {
          const first = await tx.listAudit('dom-1', 'c1', { limit: 2 });
          assert.deepEqual(
            first.map((a) => a.event.eventId),
            ['e5', 'e4'],
          );
          assert.deepEqual(first[0].event, { eventId: 'e5', fields: [{ fieldId: 'f', newValue: { doubleValue: 5 } }] });
          assert.equal(first[0].caseId, 'c1');
          const second = await tx.listAudit('dom-1', 'c1', { limit: 2, beforeSeq: first[1].seq });
          assert.deepEqual(
            second.map((a) => a.event.eventId),
            ['e3', 'e2'],
          );
          const last = await tx.listAudit('dom-1', 'c1', { limit: 2, beforeSeq: second[1].seq });
          assert.deepEqual(
            last.map((a) => a.event.eventId),
            ['e1'],
          );
          assert.deepEqual(await tx.listAudit('dom-2', 'c1', { limit: 10 }), []);
        });
      });
    });

    describe('related items', () => {
      it('inserts, reads, updates and deletes an item', async (store) => {
        const item = relatedItem('c1', 'ri-1', { type: 'Contact', searchKey: 'arn:contact/1', content: { contact: { contactArn: 'arn:contact/1' } } });
        await store.write((tx) => tx.insertRelatedItem(item));
        const got = await store.read((tx) => tx.getRelatedItem('dom-1', 'c1', 'ri-1'));
        assert.equal(typeof got?.seq, 'number');
        assert.deepEqual({ ...got, seq: undefined }, { ...item, seq: undefined });
        const changed = { ...item, content: { contact: { contactArn: 'arn:contact/2', channel: 'VOICE' } }, searchKey: 'arn:contact/2', performedBy: undefined };
        await store.write((tx) => tx.updateRelatedItem(changed));
        const after = await store.read((tx) => tx.getRelatedItem('dom-1', 'c1', 'ri-1'));
        assert.deepEqual(after?.content, changed.content);
        assert.equal(after?.searchKey, 'arn:contact/2');
        assert.equal(after?.performedBy, undefined);
        assert.equal(after?.associationTime, item.associationTime);
        await store.write((tx) => tx.deleteRelatedItem('dom-1', 'c1', 'ri-1'));
        assert.equal(await store.read((tx) => tx.getRelatedItem('dom-1', 'c1', 'ri-1')), undefined);
      });

      it('lists oldest first by case and type set, page by page, and counts per case and type', async (store) => {
        await store.write(async (tx) => {
          await tx.insertRelatedItem(relatedItem('c1', 'a', { type: 'Comment' }));
          await tx.insertRelatedItem(relatedItem('c2', 'b', { type: 'Contact', searchKey: 'arn:contact/1' }));
          await tx.insertRelatedItem(relatedItem('c1', 'c', { type: 'File', searchKey: 'arn:file/1' }));
          await tx.insertRelatedItem(relatedItem('c1', 'd', { type: 'Comment' }));
          await tx.insertRelatedItem(relatedItem('c1', 'x', { domainId: 'dom-2' }));
        });
        await store.read(async (tx) => {
          assert.deepEqual(ids(await tx.listRelatedItems({ domainId: 'dom-1', limit: 10 })), ['a', 'b', 'c', 'd']);
          assert.deepEqual(ids(await tx.listRelatedItems({ domainId: 'dom-1' })), ['a', 'b', 'c', 'd'], 'no limit: all of them');
          assert.deepEqual(ids(await tx.listRelatedItems({ domainId: 'dom-1', limit: 2 })), ['a', 'b']);
          const c1 = await tx.listRelatedItems({ domainId: 'dom-1', caseId: 'c1', limit: 10 });
          assert.deepEqual(ids(c1), ['a', 'c', 'd']);
          assert.deepEqual(ids(await tx.listRelatedItems({ domainId: 'dom-1', caseId: 'c1', types: ['Comment'], limit: 10 })), ['a', 'd']);
          assert.deepEqual(ids(await tx.listRelatedItems({ domainId: 'dom-1', types: ['Contact', 'File'], limit: 10 })), ['b', 'c']);
          const page = await tx.listRelatedItems({ domainId: 'dom-1', caseId: 'c1', limit: 1, afterSeq: c1[0].seq });
          assert.deepEqual(ids(page), ['c']);
          assert.equal(await tx.countRelatedItems('dom-1', 'c1'), 3);
          assert.equal(await tx.countRelatedItems('dom-1', 'c1', 'Comment'), 2);
          assert.equal(await tx.countRelatedItems('dom-1', 'c1', 'Sla'), 0);
          assert.equal(await tx.countRelatedItems('dom-1', 'c2'), 1);
        });
      });
    });

    describe('related item search', () => {
      const fill = async (tx: Tx) => {
          await tx.insertCase(aCase('c1'));
          await tx.insertCase(aCase('c2'));
          await tx.insertCase(aCase('c3'));
          await tx.insertRelatedItem(relatedItem('c2', 'a', { type: 'Contact', searchKey: 'arn:contact/1', associationTime: '2025-01-01T00:00:02.000Z' }));
          await tx.insertRelatedItem(relatedItem('c1', 'b', { type: 'Contact', searchKey: 'arn:contact/1', associationTime: '2025-01-01T00:00:01.000Z' }));
          await tx.insertRelatedItem(relatedItem('c1', 'c', { type: 'Comment', associationTime: '2025-01-01T00:00:03.000Z' }));
          await tx.insertRelatedItem(relatedItem('c2', 'd', { type: 'Contact', searchKey: 'arn:contact/1', associationTime: '2025-01-01T00:00:02.000Z' }));
          await tx.insertRelatedItem(relatedItem('c3', 'e', { type: 'Contact', searchKey: 'arn:contact/2', associationTime: '2025-01-01T00:00:00.000Z' }));
          await tx.insertRelatedItem(relatedItem('c3', 'f', { type: 'File', searchKey: 'arn:file/1', associationTime: '2025-01-01T00:00:02.000Z' }));
      };

      it('filters by type and search key, sorts, and continues after a position', async (store) => {
        await store.write(fill);
        await store.read(async (tx) => {
          const search = (extra: Partial<Parameters<Tx['searchRelatedItems']>[0]>) =>
            tx.searchRelatedItems({ domainId: 'dom-1', matches: [], sorts: [], limit: 10, ...extra });
          assert.deepEqual(ids(await search({})), ['a', 'b', 'c', 'd', 'e', 'f']);
          assert.deepEqual(ids(await search({ caseId: 'c2' })), ['a', 'd']);
          assert.deepEqual(ids(await search({ matches: [{ type: 'Contact', searchKey: 'arn:contact/1' }, { type: 'File' }] })), ['a', 'b', 'd', 'f']);
          assert.deepEqual(ids(await search({ domainId: 'dom-2' })), []);
          const byTime = await search({ sorts: [{ property: 'associationTime', descending: true }] });
          assert.deepEqual(ids(byTime), ['c', 'a', 'd', 'f', 'b', 'e']);
          const byCase = await search({ sorts: [{ property: 'caseId', descending: false }, { property: 'associationTime', descending: true }] });
          assert.deepEqual(ids(byCase), ['c', 'b', 'a', 'd', 'f', 'e']);
          // Page by page, each page resuming after the last item of the previous one, gives the same order.
          const paged: RelatedItemRecord[] = [];
          for (;;) {
            const last = paged[paged.length - 1];
            const page = await search({
              sorts: [{ property: 'associationTime', descending: true }],
              limit: 2,
              after: last && { associationTime: last.associationTime, caseId: last.caseId, seq: last.seq! },
            });
            paged.push(...page);
            if (page.length < 2) break;
          }
          assert.deepEqual(ids(paged), ids(byTime));
        });
      });

      it('lists the cases of a contact once each, by case id, page by page', async (store) => {
        await store.write(fill);
        await store.read(async (tx) => {
          assert.deepEqual(await tx.listCasesForContact('dom-1', 'arn:contact/1', '', 10), [
            { caseId: 'c1', templateId: 'tpl-1' },
            { caseId: 'c2', templateId: 'tpl-1' },
          ]);
          assert.deepEqual(await tx.listCasesForContact('dom-1', 'arn:contact/1', 'c1', 10), [{ caseId: 'c2', templateId: 'tpl-1' }]);
          assert.deepEqual(await tx.listCasesForContact('dom-1', 'arn:contact/1', '', 1), [{ caseId: 'c1', templateId: 'tpl-1' }]);
          assert.deepEqual(await tx.listCasesForContact('dom-1', 'arn:contact/3', '', 10), []);
        });
      });
    });

    describe('case search', () => {
      const cases: CaseRecord[] = [
        aCase('k1', { lastUpdatedTime: '2025-01-01T00:00:03.000Z', fields: { title: { stringValue: 'Printer ÉCOLE' }, amount: { doubleValue: 10 }, vip: { booleanValue: true } }, tags: { team: 'blue' } }),
        aCase('k2', { lastUpdatedTime: '2025-01-01T00:00:01.000Z', fields: { title: { stringValue: 'network down' }, amount: { doubleValue: 2.5 } }, tags: { team: 'red' } }),
        aCase('k3', { lastUpdatedTime: '2025-01-01T00:00:02.000Z', fields: { title: { stringValue: 'printer jam 100%' }, vip: { booleanValue: false } }, tags: {} }),
        aCase('k4', { lastUpdatedTime: '2025-01-01T00:00:03.000Z', fields: { title: { stringValue: 'Zebra' }, amount: { doubleValue: 10 } }, tags: { team: 'blue', x: 'y' } }),
        aCase('other', { domainId: 'dom-2', fields: { title: { stringValue: 'printer' } } }),
      ];
      const caseIds = (r: { hits: { record: CaseRecord }[] }) => r.hits.map((h) => h.record.caseId);

      // The same search over cases inserted one by one and over the same cases bulk-loaded in two batches.
      const inserts: [string, (store: Store) => Promise<unknown>][] = [
        ['inserted', (store) => store.write(async (tx) => { for (const c of cases) await tx.insertCase(c); })],
        ['bulk-loaded', (store) => store.loadCases([cases.slice(0, 2), cases.slice(2)])],
      ];
      for (const [how, insert] of inserts) it(`filters ${how} cases on typed values, emptiness, substrings, tags and words, combined with and, or and not`, async (store) => {
        await insert(store);
        await store.read(async (tx) => {
          const search = async (condition?: Parameters<Tx['searchCases']>[0]['condition'], words: string[] = []) => {
            const r = await tx.searchCases({ domainId: 'dom-1', condition, words, sorts: [], limit: 10 });
            assert.equal(r.totalCount, r.hits.length);
            return caseIds(r).sort();
          };
          assert.deepEqual(await search(), ['k1', 'k2', 'k3', 'k4']);
          assert.deepEqual(await search({ kind: 'compare', fieldId: 'amount', op: '>=', column: 'n', value: 10 }), ['k1', 'k4']);
          assert.deepEqual(await search({ kind: 'compare', fieldId: 'amount', op: '<', column: 'n', value: 10 }), ['k2']);
          assert.deepEqual(await search({ kind: 'compare', fieldId: 'title', op: '=', column: 's', value: 'Zebra' }), ['k4']);
          assert.deepEqual(await search({ kind: 'compare', fieldId: 'title', op: '>', column: 's', value: 'Printer ÉCOLE' }), ['k2', 'k3', 'k4']);
          assert.deepEqual(await search({ kind: 'compare', fieldId: 'vip', op: '=', column: 'n', value: 0 }), ['k3']);
          assert.deepEqual(await search({ kind: 'empty', fieldId: 'amount' }), ['k3']);
          assert.deepEqual(await search({ kind: 'empty', fieldId: 'never-set' }), ['k1', 'k2', 'k3', 'k4']);
          assert.deepEqual(await search({ kind: 'contains', fieldId: 'title', text: 'école' }), ['k1']);
          assert.deepEqual(await search({ kind: 'contains', fieldId: 'title', text: '0%' }), ['k3']);
          assert.deepEqual(await search({ kind: 'contains', fieldId: 'title', text: '_' }), []);
          assert.deepEqual(await search({ kind: 'tag', key: 'team' }), ['k1', 'k2', 'k4']);
          assert.deepEqual(await search({ kind: 'tag', key: 'team', value: 'blue' }), ['k1', 'k4']);
          assert.deepEqual(await search({ kind: 'not', condition: { kind: 'tag', key: 'team', value: 'blue' } }), ['k2', 'k3']);
          assert.deepEqual(
            await search({
              kind: 'or',
              conditions: [
                { kind: 'tag', key: 'x' },
                { kind: 'and', conditions: [{ kind: 'contains', fieldId: 'title', text: 'print' }, { kind: 'empty', fieldId: 'amount' }] },
              ],
            }),
            ['k3', 'k4'],
          );
          assert.deepEqual(await search({ kind: 'and', conditions: [] }), ['k1', 'k2', 'k3', 'k4']);
          assert.deepEqual(await search({ kind: 'or', conditions: [] }), []);
          assert.deepEqual(await search(undefined, ['printer']), ['k1', 'k3']);
          assert.deepEqual(await search(undefined, ['printer', 'jam']), ['k3']);
          assert.deepEqual(await search(undefined, ['ow']), ['k2']);
          assert.deepEqual(await search(undefined, ['\u0000']), []);
          assert.deepEqual(await search({ kind: 'contains', fieldId: 'title', text: 'jam\u0000' }), []);
        });
      });

      it('orders by sort fields, cases without a value last, ties by creation order, and pages through positions', async (store) => {
        await store.write(async (tx) => {
          for (const c of cases) await tx.insertCase(c);
        });
        await store.read(async (tx) => {
          const all = async (sorts: Parameters<Tx['searchCases']>[0]['sorts']) => {
            const full = await tx.searchCases({ domainId: 'dom-1', words: [], sorts, limit: 10 });
            // The same order, one case per page.
            const paged: string[] = [];
            let after: CaseSearchPosition | undefined;
            for (;;) {
              const page = await tx.searchCases({ domainId: 'dom-1', words: [], sorts, after, limit: 1 });
              assert.equal(page.totalCount, 4);
              if (page.hits.length === 0) break;
              paged.push(page.hits[0].record.caseId);
              after = JSON.parse(JSON.stringify(page.hits[0].position));
            }
            assert.deepEqual(paged, caseIds(full));
            return caseIds(full);
          };
          assert.deepEqual(await all([]), ['k4', 'k1', 'k3', 'k2']);
          assert.deepEqual(await all([{ fieldId: 'amount', column: 'n', descending: false }]), ['k2', 'k1', 'k4', 'k3']);
          assert.deepEqual(await all([{ fieldId: 'amount', column: 'n', descending: true }]), ['k4', 'k1', 'k2', 'k3']);
          assert.deepEqual(
            await all([
              { fieldId: 'amount', column: 'n', descending: true },
              { fieldId: 'title', column: 's', descending: false },
            ]),
            ['k1', 'k4', 'k2', 'k3'],
          );
          assert.deepEqual(
            await all([
              { fieldId: 'vip', column: 'n', descending: false },
              { fieldId: 'amount', column: 'n', descending: false },
            ]),
            ['k3', 'k1', 'k2', 'k4'],
          );
          assert.deepEqual(await all([{ fieldId: 'title', column: 's', descending: false }]), ['k1', 'k4', 'k2', 'k3']);
        });
      });

      it('follows updates and deletes', async (store) => {
        await store.write(async (tx) => {
          for (const c of cases) await tx.insertCase(c);
        });
        await store.write(async (tx) => {
          await tx.updateCase({ ...cases[1], lastUpdatedTime: '2025-01-01T00:00:09.000Z', fields: { title: { stringValue: 'network up' } }, tags: { team: 'blue' } }, ['title', 'amount']);
          await tx.deleteCase('dom-1', 'k4');
        });
        await store.read(async (tx) => {
          const r = await tx.searchCases({ domainId: 'dom-1', words: [], sorts: [], limit: 10 });
          assert.deepEqual(caseIds(r), ['k2', 'k1', 'k3']);
          assert.deepEqual(r.hits[0].record.fields, { title: { stringValue: 'network up' } });
          const blue = await tx.searchCases({ domainId: 'dom-1', condition: { kind: 'tag', key: 'team', value: 'blue' }, words: [], sorts: [], limit: 10 });
          assert.deepEqual(caseIds(blue).sort(), ['k1', 'k2']);
          const empty = await tx.searchCases({ domainId: 'dom-1', condition: { kind: 'empty', fieldId: 'amount' }, words: [], sorts: [], limit: 10 });
          assert.deepEqual(caseIds(empty).sort(), ['k2', 'k3']);
          assert.deepEqual(caseIds(await tx.searchCases({ domainId: 'dom-1', words: ['down'], sorts: [], limit: 10 })), []);
        });
        await store.write((tx) => tx.deleteDomainData('acct', 'dom-1', 'arn:dom-1'));
        assert.equal((await store.read((tx) => tx.searchCases({ domainId: 'dom-1', words: [], sorts: [], limit: 10 }))).totalCount, 0);
        assert.equal((await store.read((tx) => tx.searchCases({ domainId: 'dom-2', words: [], sorts: [], limit: 10 }))).totalCount, 1);
      });
    });

    describe('bulk load', () => {
      it('loads batches as insertCase would, reports progress, and leaves the cases writable and searchable', async (store) => {
        const progress: number[] = [];
        const batches = async function* () {
          yield [aCase('b1'), aCase('b2')];
          yield [];
          yield [aCase('b3', { tags: { team: 'red' } })];
        };
        assert.equal(await store.loadCases(batches(), (p) => p.phase === 'cases' && progress.push(p.loaded)), 3);
        assert.deepEqual(progress, [2, 3]);
        await store.read(async (tx) => assert.deepEqual(await tx.getCase('dom-1', 'b3'), aCase('b3', { tags: { team: 'red' } })));
        await store.write(async (tx) => {
          await tx.insertCase(aCase('b4'));
          await tx.updateCase({ ...aCase('b1'), fields: { title: { stringValue: 'renamed' } } }, ['title', 'priority', 'urgent', 'empty']);
        });
        await store.read(async (tx) => {
          const search = (words: string[], condition?: Parameters<Tx['searchCases']>[0]['condition']) =>
            tx.searchCases({ domainId: 'dom-1', condition, words, sorts: [], limit: 10 }).then((r) => r.hits.map((h) => h.record.caseId).sort());
          assert.deepEqual(await search(['case']), ['b2', 'b3', 'b4']);
          assert.deepEqual(await search(['renamed']), ['b1']);
          assert.deepEqual(await search([], { kind: 'tag', key: 'team', value: 'blue' }), ['b1', 'b2', 'b4']);
          assert.deepEqual(await search([], { kind: 'compare', fieldId: 'priority', op: '>', column: 'n', value: 2 }), ['b2', 'b3', 'b4']);
        });
      });

      it('stops at a batch with a duplicate case, keeping the batches before it', async (store) => {
        await store.write((tx) => tx.insertCase(aCase('c1')));
        await assert.rejects(store.loadCases([[aCase('c2')], [aCase('c3'), aCase('c1', { referenceNumber: 'other' })], [aCase('c4')]]));
        await store.read(async (tx) => {
          assert.ok(await tx.getCase('dom-1', 'c2'));
          assert.equal(await tx.getCase('dom-1', 'c3'), undefined);
          assert.equal(await tx.getCase('dom-1', 'c4'), undefined);
          const r = await tx.searchCases({ domainId: 'dom-1', words: ['case'], sorts: [], limit: 10 });
          assert.deepEqual(r.hits.map((h) => h.record.caseId).sort(), ['c1', 'c2']);
        });
      });
    });

    describe('deleteDomainData', () => {
      it('removes the domain and everything in it, and leaves other domains alone', async (store) => {
        const arn = (d: string) => `arn:aws:cases:us-east-1:111122223333:domain/${d}`;
        // d1 is a prefix of d10: deleting d1 must not touch d10.
        const fill = async (tx: Tx, d: string) => {
          await tx.putResource(resource(d, { kind: 'domain', scope: 'acct', name: d }));
          await tx.putResource(resource('f1', { scope: d }));
          await tx.putResource(resource('t1', { kind: 'template', scope: d }));
          await tx.putResource(resource('o1', { kind: 'fieldOption', scope: `${d}/f1` }));
          await tx.putTags(arn(d), { k: d });
          await tx.putTags(`${arn(d)}/field/f1`, { k: d });
          await tx.insertCase(aCase('c1', { domainId: d }));
          await tx.appendAudit({ domainId: d, caseId: 'c1', event: { eventId: d } });
          await tx.putIdempotency({ domainId: d, token: 't', requestHash: 'h', caseId: 'c1', createdTime: '2025-01-01T00:00:00Z' });
          await tx.insertRelatedItem(relatedItem('c1', 'ri', { domainId: d }));
        };
        await store.write(async (tx) => {
          await fill(tx, 'd1');
          await fill(tx, 'd10');
        });
        await store.write((tx) => tx.deleteDomainData('acct', 'd1', arn('d1')));
        await store.read(async (tx) => {
          assert.equal(await tx.getResource('domain', 'acct', 'd1'), undefined);
          assert.equal(await tx.countResources('field', 'd1', true), 0);
          assert.equal(await tx.countResources('template', 'd1', true), 0);
          assert.equal(await tx.countResources('fieldOption', 'd1/f1', true), 0);
          assert.equal(await tx.getTags(arn('d1')), undefined);
          assert.equal(await tx.getTags(`${arn('d1')}/field/f1`), undefined);
          assert.equal(await tx.getCase('d1', 'c1'), undefined);
          assert.equal(await tx.referenceNumberTaken('d1', 'ref-c1'), false);
          assert.deepEqual(await tx.listAudit('d1', 'c1', { limit: 10 }), []);
          assert.equal(await tx.getIdempotency('d1', 't'), undefined);
          assert.deepEqual(await tx.listRelatedItems({ domainId: 'd1', limit: 10 }), []);

          assert.ok(await tx.getResource('domain', 'acct', 'd10'));
          assert.equal(await tx.countResources('field', 'd10', true), 1);
          assert.equal(await tx.countResources('fieldOption', 'd10/f1', true), 1);
          assert.deepEqual(await tx.getTags(arn('d10')), { k: 'd10' });
          assert.deepEqual(await tx.getTags(`${arn('d10')}/field/f1`), { k: 'd10' });
          assert.ok(await tx.getCase('d10', 'c1'));
          assert.equal((await tx.listAudit('d10', 'c1', { limit: 10 })).length, 1);
          assert.ok(await tx.getIdempotency('d10', 't'));
          assert.equal((await tx.listRelatedItems({ domainId: 'd10', limit: 10 })).length, 1);
        });
      });
    });

    describe('transactions', () => {
      it('returns the function’s result and commits its writes together', async (store) => {
        const result = await store.write(async (tx) => {
          await tx.insertCase(aCase('c1'));
          await tx.appendAudit({ domainId: 'dom-1', caseId: 'c1', event: { eventId: 'created' } });
          return 'done';
        });
        assert.equal(result, 'done');
        assert.equal(await store.read(async (tx) => (await tx.listAudit('dom-1', 'c1', { limit: 5 })).length), 1);
      });

      it('rolls every write back when the function throws, and the error reaches the caller unchanged', async (store) => {
        await store.write((tx) => tx.putResource(resource('kept')));
        const boom = new Error('boom');
        await assert.rejects(
          store.write(async (tx) => {
            await tx.putResource(resource('kept', { data: { changed: true } }));
            await tx.putResource(resource('new'));
            await tx.insertCase(aCase('c1'));
            await tx.appendAudit({ domainId: 'dom-1', caseId: 'c1', event: {} });
            await tx.putTags('arn:x', { a: 'b' });
            throw boom;
          }),
          (e) => e === boom,
        );
        await store.read(async (tx) => {
          assert.deepEqual((await tx.getResource('field', 'dom-1', 'kept'))?.data, { fieldId: 'kept', name: 'name-kept' });
          assert.equal(await tx.getResource('field', 'dom-1', 'new'), undefined);
          assert.equal(await tx.getCase('dom-1', 'c1'), undefined);
          assert.deepEqual(await tx.listAudit('dom-1', 'c1', { limit: 5 }), []);
          assert.equal(await tx.getTags('arn:x'), undefined);
        });
        // The store stays usable after a rollback.
        await store.write((tx) => tx.putResource(resource('after')));
        assert.ok(await store.read((tx) => tx.getResource('field', 'dom-1', 'after')));
      });

      it('keeps concurrent read-modify-write transactions from losing updates', async (store) => {
        await store.write((tx) => tx.setMeta('counter', '0'));
        await Promise.all(
          Array.from({ length: 12 }, () =>
            store.write(async (tx) => {
              const n = Number(await tx.getMeta('counter'));
              await tx.setMeta('counter', String(n + 1));
            }),
          ),
        );
        assert.equal(await store.read((tx) => tx.getMeta('counter')), '12');
      });

      it('lets a check-then-insert of one key succeed once among concurrent transactions', async (store) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.write(async (tx) => {
              const existing = await tx.getIdempotency('dom-1', 'same-token');
              if (existing) return existing.caseId;
              await tx.insertCase(aCase(`c${i}`));
              await tx.putIdempotency({ domainId: 'dom-1', token: 'same-token', requestHash: 'h', caseId: `c${i}`, createdTime: '2025-01-01T00:00:00Z' });
              return `c${i}`;
            }),
          ),
        );
        assert.equal(new Set(results).size, 1);
        const created = await store.read(async (tx) => {
          let n = 0;
          for (let i = 0; i < 8; i++) if (await tx.getCase('dom-1', `c${i}`)) n++;
          return n;
        });
        assert.equal(created, 1);
      });
    });
  });
}
