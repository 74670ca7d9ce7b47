/**
 * Races through the API: concurrent updates to one case each leave an audit event and the final state is the
 * last committed write per field (commit order is the audit trail's order); concurrent deletes, updates and related-item writes never leave orphans.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCaseCommand,
  CreateRelatedItemCommand,
  DeleteCaseCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  SearchAllRelatedItemsCommand,
  SearchCasesCommand,
  UpdateCaseCommand,
  type AuditEvent,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { startTestServer, type TestServer } from './helpers.js';
import { caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';

let t: TestServer;
let fx: CaseFixture;
before(async () => {
  t = await startTestServer();
  fx = await caseFixture(t.client, 'races');
});
after(() => t.close());

const newCase = async (c: ConnectCasesClient, title: string) =>
  (await c.send(new CreateCaseCommand({ domainId: fx.domainId, templateId: fx.template, fields: [fv('title', str(title))] }))).caseId!;

async function allAudit(caseId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await t.client.send(new GetCaseAuditEventsCommand({ domainId: fx.domainId, caseId, nextToken }));
    events.push(...(page.auditEvents!.filter(Boolean) as AuditEvent[]));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

test('30 concurrent updates of one case: 30 audit events, and each field ends at the last committed write', async () => {
  const caseId = await newCase(t.client, 'racing');
  const written: Record<string, string[]> = { summary: [], [fx.f.notes]: [] };
  await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const id = i % 2 ? 'summary' : fx.f.notes;
      written[id].push(`v${i}`);
      await t.client.send(new UpdateCaseCommand({ domainId: fx.domainId, caseId, fields: [fv(id, str(`v${i}`))] }));
    }),
  );
  const events = await allAudit(caseId);
  assert.equal(events.length, 31, 'one Case.Created and one Case.Updated per update');
  const got = await t.client.send(new GetCaseCommand({ domainId: fx.domainId, caseId, fields: [{ id: 'summary' }, { id: fx.f.notes }] }));
  for (const id of ['summary', fx.f.notes]) {
    // Audit events come newest first, in commit order: the first one touching the field is the last write.
    const last = events.find((e) => e.fields!.some((f) => f!.eventFieldId === id))!;
    const lastValue = last.fields!.find((f) => f!.eventFieldId === id)!.newValue!.stringValue;
    assert.ok(written[id].includes(lastValue!), `${id}: the newest audit value was one of the writes`);
    assert.equal(got.fields!.find((f) => f!.id === id)!.value!.stringValue, lastValue, `${id} holds the last committed write`);
    const updatesOfField = events.filter((e) => e.type === 'Case.Updated' && e.fields!.some((f) => f!.eventFieldId === id)).length;
    assert.equal(updatesOfField, 15, `${id}: every write has its own event`);
  }
});

test('deletes racing updates and comments leave no related item, audit event or search hit of a deleted case', async () => {
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => newCase(t.client, `doomed ${i}`)));
  const settle = (p: Promise<unknown>) => p.then(() => 'ok', (e) => e.name as string);
  const outcomes = await Promise.all(
    ids.flatMap((caseId) => [
      settle(t.client.send(new UpdateCaseCommand({ domainId: fx.domainId, caseId, fields: [fv('summary', str('late'))] }))),
      settle(
        t.client.send(
          new CreateRelatedItemCommand({ domainId: fx.domainId, caseId, type: 'Comment', content: { comment: { body: 'late', contentType: 'Text/Plain' } } }),
        ),
      ),
      settle(t.client.send(new DeleteCaseCommand({ domainId: fx.domainId, caseId }))),
      settle(t.client.send(new UpdateCaseCommand({ domainId: fx.domainId, caseId, fields: [fv('summary', str('later'))] }))),
    ]),
  );
  // Every call either succeeded or found the case already gone; nothing else.
  assert.deepEqual([...new Set(outcomes)].filter((o) => o !== 'ok' && o !== 'ResourceNotFoundException'), []);
  for (const caseId of ids) {
    await assert.rejects(t.client.send(new GetCaseCommand({ domainId: fx.domainId, caseId, fields: [{ id: 'title' }] })), { name: 'ResourceNotFoundException' });
    await assert.rejects(t.client.send(new GetCaseAuditEventsCommand({ domainId: fx.domainId, caseId })), { name: 'ResourceNotFoundException' });
  }
  const doomed = new Set(ids);
  const search = await t.client.send(new SearchCasesCommand({ domainId: fx.domainId, maxResults: 100 }));
  assert.equal(search.cases!.filter((c) => doomed.has(c!.caseId!)).length, 0, 'no deleted case in search');
  let nextToken: string | undefined;
  let orphans = 0;
  do {
    const page = await t.client.send(new SearchAllRelatedItemsCommand({ domainId: fx.domainId, nextToken }));
    orphans += page.relatedItems!.filter((r) => doomed.has(r!.caseId!)).length;
    nextToken = page.nextToken;
  } while (nextToken);
  assert.equal(orphans, 0, 'no related item of a deleted case');
});
