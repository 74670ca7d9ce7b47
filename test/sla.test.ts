import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCaseCommand,
  CreateFieldCommand,
  CreateRelatedItemCommand,
  DeleteFieldCommand,
  DeleteRelatedItemCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  SearchRelatedItemsCommand,
  UpdateCaseCommand,
  UpdateRelatedItemCommand,
  type FieldValue,
  type FieldValueUnion,
  type SlaInputConfiguration,
} from '@aws-sdk/client-connectcases';
import { assertValidation, startTestServer, type TestServer } from './helpers.js';
import { caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';

const MINUTE = 60_000;

describe('SLA related items', () => {
  let t: TestServer;
  let x: CaseFixture;
  let clock = Date.parse('2025-06-01T08:00:00.000Z');
  const at = (ms: number) => new Date(ms).toISOString();
  before(async () => {
    t = await startTestServer({ now: () => new Date(clock) });
    x = await caseFixture(t.client, 'sla');
  });
  after(() => t.close());

  const newCase = async (fields: FieldValue[] = []) =>
    (await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('SLA case')), ...fields] })))
      .caseId!;
  const config = (name: string, targetSlaMinutes: number, fieldId = 'status', target: FieldValueUnion = str('closed')): SlaInputConfiguration => ({
    name,
    type: 'CaseField',
    fieldId,
    targetFieldValues: [target],
    targetSlaMinutes,
  });
  const addSla = (caseId: string, slaInputConfiguration: SlaInputConfiguration) =>
    t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type: 'Sla', content: { sla: { slaInputConfiguration } } }));
  const slas = async (caseId: string, status?: string) => {
    const filters = status ? [{ sla: { status: status as any } }] : [{ sla: {} }];
    const r = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId, filters }));
    return r.relatedItems!.map((i) => i!.content!.sla!.slaConfiguration!);
  };
  const nextBreach = async (caseId: string) => {
    const r = await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'next_sla_breach_datetime' }] }));
    return r.fields!.find((f) => f.id === 'next_sla_breach_datetime')?.value?.stringValue;
  };
  const setStatus = (caseId: string, status: string) =>
    t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv('status', str(status))] }));

  test('an SLA is Active until its target time, then Overdue; met late it is NotMet with its completion time', async () => {
    const caseId = await newCase();
    const created = clock;
    await addSla(caseId, config('Resolve within 1 hour', 60));
    let [sla] = await slas(caseId);
    assert.equal(sla.name, 'Resolve within 1 hour');
    assert.equal(sla.type, 'CaseField');
    assert.equal(sla.fieldId, 'status');
    assert.deepEqual(sla.targetFieldValues, [str('closed')]);
    assert.equal(sla.targetTime!.toISOString(), at(created + 60 * MINUTE));
    assert.equal(sla.status, 'Active');
    assert.equal(sla.completionTime, undefined);
    assert.equal(await nextBreach(caseId), at(created + 60 * MINUTE));

    // The status is computed when it is read: no write happens when the target time passes.
    clock = created + 60 * MINUTE - 1;
    assert.equal((await slas(caseId))[0].status, 'Active');
    clock = created + 60 * MINUTE;
    assert.equal((await slas(caseId))[0].status, 'Overdue');
    assert.equal((await slas(caseId, 'Overdue')).length, 1);
    assert.equal((await slas(caseId, 'Active')).length, 0);

    // Another field changing does not complete it; a status other than the target does not either.
    clock += 5 * MINUTE;
    await t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv(x.f.notes, str('working on it'))] }));
    await t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv(x.f.priority, str('high'))] }));
    assert.equal((await slas(caseId))[0].status, 'Overdue');

    clock += 5 * MINUTE;
    const closedAt = clock;
    await setStatus(caseId, 'closed');
    [sla] = await slas(caseId);
    assert.equal(sla.status, 'NotMet');
    assert.equal(sla.completionTime!.toISOString(), at(closedAt));
    assert.equal(await nextBreach(caseId), undefined, 'no open SLA: the breach time is cleared');

    // Completion is final: reopening the case does not reopen the SLA.
    clock += MINUTE;
    await setStatus(caseId, 'open');
    [sla] = await slas(caseId);
    assert.equal(sla.status, 'NotMet');
    assert.equal(sla.completionTime!.toISOString(), at(closedAt));
  });

  test('an SLA met before its target time is Met, and stays Met after the target time', async () => {
    const caseId = await newCase();
    const created = clock;
    await addSla(caseId, config('Quick close', 30));
    clock = created + 30 * MINUTE;
    await setStatus(caseId, 'closed');
    clock = created + 300 * MINUTE;
    const [sla] = await slas(caseId);
    assert.equal(sla.status, 'Met', 'met exactly at the target time counts as met');
    assert.equal(sla.completionTime!.toISOString(), at(created + 30 * MINUTE));
    assert.equal((await slas(caseId, 'Met')).length, 1);
  });

  test('next_sla_breach_datetime follows the earliest open SLA as SLAs are added, met and deleted', async () => {
    const caseId = await newCase();
    const t0 = clock;
    assert.equal(await nextBreach(caseId), undefined);
    const { relatedItemId: late } = await addSla(caseId, config('Close in 2h', 120));
    assert.equal(await nextBreach(caseId), at(t0 + 120 * MINUTE));
    const { relatedItemId: early } = await addSla(caseId, config('Prioritise in 10m', 10, x.f.priority, str('high')));
    assert.equal(await nextBreach(caseId), at(t0 + 10 * MINUTE));
    await addSla(caseId, config('Amount in 1h', 60, x.f.amount, { doubleValue: 100 }));
    assert.equal(await nextBreach(caseId), at(t0 + 10 * MINUTE));

    // Meeting the earliest moves the breach time to the next one; a case value of another type does not meet it.
    clock = t0 + 5 * MINUTE;
    await t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv(x.f.priority, str('high')), fv(x.f.amount, { doubleValue: 99 })] }));
    assert.equal(await nextBreach(caseId), at(t0 + 60 * MINUTE));
    const byName = Object.fromEntries((await slas(caseId)).map((s) => [s.name, s.status]));
    assert.deepEqual(byName, { 'Close in 2h': 'Active', 'Prioritise in 10m': 'Met', 'Amount in 1h': 'Active' });

    await t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv(x.f.amount, { doubleValue: 100 })] }));
    assert.equal(await nextBreach(caseId), at(t0 + 120 * MINUTE));
    await t.client.send(new DeleteRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId: late }));
    assert.equal(await nextBreach(caseId), undefined);
    await t.client.send(new DeleteRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId: early }));
    assert.equal((await slas(caseId)).length, 1);

    // Keeping the breach time current is not a change of the case: no audit event, no last-updated stamp.
    const events = await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }));
    const touched = events.auditEvents!.flatMap((e) => e!.fields!.map((f) => f!.eventFieldId));
    assert.ok(!touched.includes('next_sla_breach_datetime'), touched.join());
  });

  test('a case already holding the target value meets the SLA when it is added', async () => {
    const caseId = await newCase([fv(x.f.priority, str('low'))]);
    await addSla(caseId, config('Low stays low', 15, x.f.priority, str('low')));
    const [sla] = await slas(caseId);
    assert.equal(sla.status, 'Met');
    assert.equal(sla.completionTime!.toISOString(), at(clock));
    assert.equal(await nextBreach(caseId), undefined);
  });

  test('DateTime targets are compared as instants', async () => {
    const caseId = await newCase();
    await addSla(caseId, config('Due set', 60, x.f.due, str('2025-07-01T12:00:00+02:00')));
    const [sla] = await slas(caseId);
    assert.deepEqual(sla.targetFieldValues, [str('2025-07-01T10:00:00.000Z')]);
    await t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv(x.f.due, str('2025-07-01T10:00:00Z'))] }));
    assert.equal((await slas(caseId))[0].status, 'Met');
  });

  test('the SLA configuration is checked: field, exactly one valid target value, minutes in range', async () => {
    const caseId = await newCase();
    const { fieldId: gone } = await t.client.send(new CreateFieldCommand({ domainId: x.domainId, name: 'Gone', type: 'Text' }));
    await t.client.send(new DeleteFieldCommand({ domainId: x.domainId, fieldId: gone }));
    const bad: [Partial<SlaInputConfiguration>, RegExp][] = [
      [{ fieldId: undefined }, /fieldId is required for an SLA of type CaseField/],
      [{ targetFieldValues: undefined }, /targetFieldValues is required/],
      [{ fieldId: 'no-such-field' }, /fieldId 'no-such-field' names no field of this domain/],
      [{ fieldId: gone }, /names a deleted field/],
      [{ targetFieldValues: [str('pending')] }, /targetFieldValues\.1 for field status: 'pending' is not an option of this field/],
      [{ targetFieldValues: [{ doubleValue: 1 }] }, /a SingleSelect field takes stringValue, not doubleValue/],
      [{ targetFieldValues: [{ emptyValue: {} }] }, /an SLA target must be a value, not emptyValue/],
      [{ targetFieldValues: [str('closed'), str('open')] }, /targetFieldValues.*length less than or equal to 1/],
      [{ targetFieldValues: [] }, /targetFieldValues.*length greater than or equal to 1/],
      [{ targetSlaMinutes: 0 }, /targetSlaMinutes.*greater than or equal to 1/],
      [{ targetSlaMinutes: 1051201 }, /targetSlaMinutes.*less than or equal to 1051200/],
      [{ type: 'Other' as any }, /type/],
      [{ name: ' ' }, /name.*regular expression/],
    ];
    for (const [change, message] of bad) {
      await assertValidation(addSla(caseId, { ...config('x', 60), ...change }), message);
    }
    await assertValidation(
      t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type: 'Sla', content: { sla: {} as any } })),
      /Union must have exactly one member set/,
    );
    assert.deepEqual(await slas(caseId), [], 'no refused SLA was stored');
    await addSla(caseId, config('Longest', 1051200));
    assert.equal(await nextBreach(caseId), at(clock + 1051200 * MINUTE));
  });

  test('an SLA cannot be updated', async () => {
    const caseId = await newCase();
    const { relatedItemId } = await addSla(caseId, config('Fixed', 60));
    await assertValidation(
      t.client.send(new UpdateRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId, content: { comment: { body: 'x', contentType: 'Text/Plain' } } })),
      /of type Sla; only Comment and Custom/,
    );
  });

  test('SLA audit events record the configuration', async () => {
    const caseId = await newCase();
    const created = clock;
    const { relatedItemId } = await addSla(caseId, config('Audited', 45));
    await t.client.send(new DeleteRelatedItemCommand({ domainId: x.domainId, caseId, relatedItemId }));
    const events = (await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }))).auditEvents!;
    const [deleted, createdEvent] = events.filter((e) => e!.relatedItemType === 'Sla');
    const values = {
      name: str('Audited'),
      type: str('CaseField'),
      fieldId: str('status'),
      targetFieldValue: str('closed'),
      targetTime: str(at(created + 45 * MINUTE)),
    };
    assert.equal(createdEvent!.type, 'RelatedItem.Created');
    assert.deepEqual(createdEvent!.fields, Object.entries(values).map(([eventFieldId, newValue]) => ({ eventFieldId, newValue })));
    assert.equal(deleted!.type, 'RelatedItem.Deleted');
    assert.deepEqual(deleted!.fields, Object.entries(values).map(([eventFieldId, oldValue]) => ({ eventFieldId, oldValue, newValue: { emptyValue: {} } })));
  });
});
