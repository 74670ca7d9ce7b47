import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCaseCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  UpdateCaseCommand,
  paginateGetCaseAuditEvents,
  type AuditEvent,
  type FieldValue,
  type UserUnion,
} from '@aws-sdk/client-connectcases';
import { assertValidation, startTestServer, type TestServer } from './helpers.js';
import { USER_A, USER_B, caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';

const PRINCIPAL = 'arn:aws:iam::000000000000:user/AKIDTEST';
const EMPTY = { emptyValue: {} };

describe('case audit history', () => {
  let t: TestServer;
  let x: CaseFixture;
  let clock = Date.parse('2025-06-01T08:00:00.000Z');
  /** Each call to the server's clock after `tick()` sees the next minute. */
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };
  before(async () => {
    t = await startTestServer({ now: () => new Date(clock) });
    x = await caseFixture(t.client, 'audit');
  });
  after(() => t.close());

  const update = (caseId: string, fields: FieldValue[], performedBy?: UserUnion) =>
    t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields, performedBy }));
  const events = async (caseId: string) => (await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }))).auditEvents!.map((e) => e!);
  /** The parts of an event a test compares exactly (eventId is a fresh UUID). */
  const plain = (e: AuditEvent) => ({ type: e.type, performedTime: e.performedTime!.toISOString(), fields: e.fields, performedBy: e.performedBy });

  test('Case.Created records every value the case starts with; Case.Updated the old and new value of each change', async () => {
    const created = tick();
    const { caseId } = await t.client.send(
      new CreateCaseCommand({
        domainId: x.domainId,
        templateId: x.template,
        fields: [fv('title', str('Printer on fire')), fv(x.f.priority, str('high')), fv(x.f.amount, { doubleValue: 3 })],
        performedBy: { userArn: USER_A },
      }),
    );
    const [first] = await events(caseId!);
    assert.match(first.eventId!, /^[0-9a-f-]{36}$/);
    assert.equal(first.relatedItemType, undefined);
    const ref = first.fields!.find((f) => f!.eventFieldId === 'reference_number')!.newValue!.stringValue!;
    assert.deepEqual(plain(first), {
      type: 'Case.Created',
      performedTime: created,
      fields: [
        { eventFieldId: 'title', newValue: str('Printer on fire') },
        { eventFieldId: x.f.priority, newValue: str('high') },
        { eventFieldId: x.f.amount, newValue: { doubleValue: 3 } },
        { eventFieldId: 'status', newValue: str('open') },
        { eventFieldId: 'case_id', newValue: str(caseId!) },
        { eventFieldId: 'reference_number', newValue: str(ref) },
        { eventFieldId: 'created_datetime', newValue: str(created) },
        { eventFieldId: 'last_updated_datetime', newValue: str(created) },
        { eventFieldId: 'last_updated_user', newValue: { userArnValue: USER_A } },
      ],
      performedBy: { user: { userArn: USER_A }, iamPrincipalArn: PRINCIPAL },
    });

    const t1 = tick();
    await update(caseId!, [fv(x.f.priority, str('low')), fv(x.f.notes, str('smoke seen')), fv('title', str('Printer on fire'))], { userArn: USER_B });
    const t2 = tick();
    await update(caseId!, [fv('status', str('closed')), fv(x.f.amount, { emptyValue: {} })], { customEntity: 'night-shift bot' });
    const t3 = tick();
    await update(caseId!, [fv(x.f.notes, str('smoke seen'))]); // no change: no event
    const t4 = tick();
    await update(caseId!, [fv('status', str('open')), fv(x.f.notes, str('it is back'))]);

    const all = await events(caseId!);
    assert.deepEqual(all.map(plain), [
      {
        type: 'Case.Updated',
        performedTime: t4,
        fields: [
          { eventFieldId: 'status', oldValue: str('closed'), newValue: str('open') },
          { eventFieldId: x.f.notes, oldValue: str('smoke seen'), newValue: str('it is back') },
          { eventFieldId: 'last_reopened_datetime', oldValue: EMPTY, newValue: str(t4) },
        ],
        performedBy: { iamPrincipalArn: PRINCIPAL },
      },
      {
        type: 'Case.Updated',
        performedTime: t2,
        fields: [
          { eventFieldId: 'status', oldValue: str('open'), newValue: str('closed') },
          { eventFieldId: x.f.amount, oldValue: { doubleValue: 3 }, newValue: EMPTY },
          { eventFieldId: 'last_closed_datetime', oldValue: EMPTY, newValue: str(t2) },
        ],
        performedBy: { user: { customEntity: 'night-shift bot' }, iamPrincipalArn: PRINCIPAL },
      },
      {
        type: 'Case.Updated',
        performedTime: t1,
        fields: [
          { eventFieldId: x.f.priority, oldValue: str('high'), newValue: str('low') },
          { eventFieldId: x.f.notes, oldValue: EMPTY, newValue: str('smoke seen') },
        ],
        performedBy: { user: { userArn: USER_B }, iamPrincipalArn: PRINCIPAL },
      },
      plain(first),
    ]);
    assert.equal(new Set(all.map((e) => e.eventId)).size, all.length, 'event ids are unique');
    assert.ok(t3 < t4);

    // The case itself agrees with the trail.
    const got = await t.client.send(
      new GetCaseCommand({ domainId: x.domainId, caseId, fields: ['status', 'last_closed_datetime', 'last_reopened_datetime', 'last_updated_datetime'].map((id) => ({ id })) }),
    );
    assert.deepEqual(got.fields, [
      fv('status', str('open')),
      fv('last_closed_datetime', str(t2)),
      fv('last_reopened_datetime', str(t4)),
      fv('last_updated_datetime', str(t4)),
    ]);
  });

  test('a refused update leaves no audit event', async () => {
    const { caseId } = await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('T'))] }));
    await assertValidation(update(caseId!, [fv(x.f.notes, str('ok')), fv(x.f.amount, str('not a number'))]));
    assert.equal((await events(caseId!)).length, 1);
  });

  test('pages of 25 by default, newest first; tokens are bound to their case', async () => {
    const { caseId } = await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('busy'))] }));
    for (let i = 1; i <= 30; i++) await update(caseId!, [fv(x.f.amount, { doubleValue: i })]);

    const first = await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }));
    assert.equal(first.auditEvents!.length, 25);
    assert.ok(first.nextToken);
    assert.deepEqual(first.auditEvents![0]!.fields![0]!.newValue, { doubleValue: 30 });
    const rest = await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId, nextToken: first.nextToken }));
    assert.equal(rest.auditEvents!.length, 6);
    assert.equal(rest.nextToken, undefined);
    assert.equal(rest.auditEvents![5]!.type, 'Case.Created');

    // The paginator walks every event once, in order.
    const seen: number[] = [];
    for await (const page of paginateGetCaseAuditEvents({ client: t.client, pageSize: 7 }, { domainId: x.domainId, caseId })) {
      assert.ok(page.auditEvents!.length <= 7);
      for (const e of page.auditEvents!) seen.push(e!.type === 'Case.Created' ? 0 : e!.fields![0]!.newValue!.doubleValue!);
    }
    assert.deepEqual(seen, [...Array.from({ length: 30 }, (_, i) => 30 - i), 0]);

    const other = await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('other'))] }));
    await assertValidation(
      t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId: other.caseId, nextToken: first.nextToken })),
      /nextToken/,
    );
    await assertValidation(t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId, nextToken: 'forged.token' })), /nextToken/);
    await assertValidation(t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId, maxResults: 26 })), /maxResults/);
  });
});
