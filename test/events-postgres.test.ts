/** Two servers sharing one PostgreSQL database deliver the case event stream together: complete and in order per case. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  PutCaseEventConfigurationCommand,
  UpdateCaseCommand,
} from '@aws-sdk/client-connectcases';
import { startTestServer, type TestServer } from './helpers.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { FAST_DELIVERY, Receiver } from './events-receiver.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import type { OutboxEvent } from '../src/store/types.js';

let cluster: TestPostgres;
const receiver = new Receiver();
before(async () => {
  cluster = await startTestPostgres();
  await receiver.start();
});
after(async () => {
  await receiver.stop();
  await cluster.stop();
});

test('two processes on one database: every event arrives once written, in order per case', { timeout: 120_000 }, async () => {
  const databaseUrl = await cluster.createDatabase();
  const events = { webhookUrls: [receiver.url], delivery: { ...FAST_DELIVERY, concurrency: 4 } };
  const servers: TestServer[] = [await startTestServer({ databaseUrl, events }), await startTestServer({ databaseUrl, events })];
  try {
    const [a, b] = servers.map((s) => s.client);
    const { domainId } = await a.send(new CreateDomainCommand({ name: `pg-events-${process.pid}` }));
    const notes = (await a.send(new CreateFieldCommand({ domainId, name: 'Notes', type: 'Text' }))).fieldId!;
    const templateId = (await a.send(new CreateTemplateCommand({ domainId, name: 'Basic', status: 'Active' }))).templateId!;
    await a.send(new PutCaseEventConfigurationCommand({ domainId, eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: notes }] } } } }));

    const cases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const client = i % 2 ? b : a;
      const out = await client.send(
        new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: `c${i}` } }, { id: notes, value: { stringValue: 'v0' } }] }),
      );
      cases.push(out.caseId!);
    }
    // Updates of one case alternate between the two servers, concurrently across cases.
    for (let v = 1; v <= 4; v++) {
      await Promise.all(
        cases.map((caseId, i) =>
          ((i + v) % 2 ? b : a).send(new UpdateCaseCommand({ domainId, caseId, fields: [{ id: notes, value: { stringValue: `v${v}` } }] })),
        ),
      );
    }
    const total = cases.length * 5;
    await receiver.waitFor(total, 60_000);
    assert.equal(new Set(receiver.received.map((r) => r.json.id)).size, total, 'every event arrived');
    for (const c of cases) {
      const seen: string[] = [];
      for (const r of receiver.received) {
        if (r.json.detail.case.caseId !== c) continue;
        const note = r.json.detail.case.fields[notes].value.stringValue;
        if (!seen.includes(note)) seen.push(note);
      }
      assert.deepEqual(seen, ['v0', 'v1', 'v2', 'v3', 'v4'], `case ${c} in order`);
    }
  } finally {
    for (const s of servers) await s.close();
  }
});

test('an event that commits after a later-numbered one is still queued, and writers do not wait for each other', { timeout: 60_000 }, async () => {
  const store = await PgStore.open({ url: await cluster.createDatabase() });
  const event = (id: string): OutboxEvent => ({ eventId: id, domainId: 'd', caseId: id, createdTime: '2026-01-01T00:00:00.000Z', payload: '{}' });
  const queued = () =>
    store.write(async (tx) => {
      await tx.fanOutEvents('s');
      return (await tx.claimDeliveries('s', 1, 2, 10)).map((d) => d.eventId).sort();
    });
  try {
    // The slow writer takes its outbox number first and commits last.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let slowInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (slowInserted = resolve));
    const slow = store.write(async (tx) => {
      await tx.insertOutboxEvent(event('slow'));
      slowInserted();
      await held;
    });
    await inserted;
    // If writers took turns until commit, this write would wait for the slow one and the test would time out.
    await store.write((tx) => tx.insertOutboxEvent(event('fast')));
    assert.deepEqual(await queued(), [], 'nothing is queued while an older writer is still running');
    release();
    await slow;
    assert.deepEqual(await queued(), ['fast', 'slow'], 'both are queued once it has committed; the late one is not skipped');
  } finally {
    await store.close();
  }
});
