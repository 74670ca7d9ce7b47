import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SearchCasesCommand,
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteCaseCommand,
  DeleteFieldCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  UpdateCaseCommand,
  paginateGetCase,
  type FieldValue,
  type FieldValueUnion,
} from '@aws-sdk/client-connectcases';
import { assertConflict, assertNotFound, assertValidation, clientFor, startTestServer, type TestServer } from './helpers.js';
import { USER_A, USER_B, caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';

describe('cases', () => {
  let t: TestServer;
  let x: CaseFixture;
  let caseCount: () => Promise<number>;
  before(async () => {
    t = await startTestServer();
    x = await caseFixture(t.client, 'cases');
    // Counted through the API (SearchCases' exact totalCount), so the test holds on every store backend.
    caseCount = async () => (await t.client.send(new SearchCasesCommand({ domainId: x.domainId, maxResults: 1 }))).totalCount!;
  });
  after(() => t.close());

  /** CreateCase with the Basic template, titled 'A case' unless `fields` has a title of its own. */
  const create = (fields: FieldValue[], extra: Record<string, unknown> = {}) => {
    const all = fields.some((f) => f.id === 'title') ? fields : [fv('title', str('A case')), ...fields];
    return t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: all, ...extra }));
  };
  const get = async (caseId: string, ids: string[]) => {
    const r = await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: ids.map((id) => ({ id })) }));
    return Object.fromEntries(r.fields!.map((v) => [v.id!, v.value]));
  };
  const update = (caseId: string, fields: FieldValue[], extra: Record<string, unknown> = {}) =>
    t.client.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields, ...extra }));

  test('case ids are time-ordered UUIDs (version 7): a later case has a larger id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await create([])).caseId!);
      await new Promise((resolve) => setTimeout(resolve, 2)); // the next id's millisecond
    }
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
  });

  test('a case stores a value of every field type and the server-kept system fields', async () => {
    const { caseId, caseArn } = await create([
      fv(x.f.notes, str('single line')),
      fv(x.f.details, str('line one\nline two')),
      fv(x.f.amount, { doubleValue: 12.5 }),
      fv(x.f.vip, { booleanValue: false }),
      fv(x.f.due, str('2024-03-17T01:16:57+02:00')),
      fv(x.f.link, str('https://example.com/orders/1?x=y')),
      fv(x.f.owner, { userArnValue: USER_A }),
      fv(x.f.priority, str('high')),
      fv('customer_id', str('arn:aws:profile:us-east-1:123456789012:domains/d/profiles/p')),
    ]);
    assert.match(caseId!, /^[0-9a-f-]{36}$/);
    assert.equal(caseArn, `arn:aws:cases:us-east-1:000000000000:domain/${x.domainId}/case/${caseId}`);
    const ids = [...Object.values(x.f), 'title', 'status', 'customer_id', 'case_id', 'reference_number', 'created_datetime', 'last_updated_datetime'];
    const v = await get(caseId!, ids);
    assert.deepEqual(v[x.f.notes], str('single line'));
    assert.deepEqual(v[x.f.details], str('line one\nline two'));
    assert.deepEqual(v[x.f.amount], { doubleValue: 12.5 });
    assert.deepEqual(v[x.f.vip], { booleanValue: false });
    // DateTime values are stored as UTC instants, so that they compare and sort as text.
    assert.deepEqual(v[x.f.due], str('2024-03-16T23:16:57.000Z'));
    assert.deepEqual(v[x.f.link], str('https://example.com/orders/1?x=y'));
    assert.deepEqual(v[x.f.owner], { userArnValue: USER_A });
    assert.deepEqual(v[x.f.priority], str('high'));
    assert.deepEqual(v.title, str('A case'));
    assert.deepEqual(v.status, str('open'), 'status starts open');
    assert.deepEqual(v.case_id, str(caseId!));
    assert.match(v.reference_number!.stringValue!, /^\d{8}$/);
    const created = v.created_datetime!.stringValue!;
    assert.ok(Math.abs(Date.parse(created) - Date.now()) < 60_000, created);
    assert.deepEqual(v.last_updated_datetime, str(created));
  });

  test('reference numbers are 8 digits and unique within the domain', async () => {
    const refs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { caseId } = await create([]);
      refs.add((await get(caseId!, ['reference_number'])).reference_number!.stringValue!);
    }
    assert.equal(refs.size, 20);
    for (const r of refs) assert.match(r, /^\d{8}$/);
  });

  test('a value of the wrong union member is refused, naming the field and the member it needs', async () => {
    const cases: [string, FieldValueUnion, RegExp][] = [
      [x.f.notes, { doubleValue: 1 }, /Text field takes stringValue, not doubleValue/],
      [x.f.amount, str('12'), /Number field takes doubleValue, not stringValue/],
      [x.f.vip, str('true'), /Boolean field takes booleanValue/],
      [x.f.owner, str(USER_A), /User field takes userArnValue/],
      [x.f.priority, { userArnValue: USER_A }, /SingleSelect field takes stringValue/],
      [x.f.due, { doubleValue: 1710630000 }, /DateTime field takes stringValue/],
      [x.f.link, { booleanValue: true }, /Url field takes stringValue/],
      ['title', { userArnValue: USER_A }, /field title: a Text field takes stringValue/],
    ];
    const before = await caseCount();
    for (const [id, value, message] of cases) {
      const err = await assertValidation(create([fv(id, value)]), message);
      assert.ok(err.message.includes(id), err.message);
    }
    assert.equal(await caseCount(), before, 'nothing was written');
  });

  test('values that do not fit their field are refused with the reason', async () => {
    const bad: [string, FieldValueUnion, RegExp][] = [
      [x.f.priority, str('urgent'), /'urgent' is not an option/],
      [x.f.priority, str('old'), /option 'old' is inactive/],
      ['status', str('pending'), /field status: 'pending' is not an option/],
      [x.f.due, str('2024-03-16'), /not an ISO-8601 date-time/],
      [x.f.due, str('2024-03-16T23:16:57'), /not an ISO-8601 date-time/],
      [x.f.due, str('2024-02-30T10:00:00Z'), /not an ISO-8601 date-time/],
      [x.f.due, str('tomorrow'), /not an ISO-8601 date-time/],
      [x.f.link, str('ftp://example.com/file'), /not an http\(s\) URL/],
      [x.f.link, str('example.com'), /not an http\(s\) URL/],
      [x.f.owner, { userArnValue: 'arn:aws:iam::123456789012:user/bob' }, /not an Amazon Connect user ARN/],
      ['assigned_user', { userArnValue: 'bob' }, /field assigned_user: the value is not an Amazon Connect user ARN/],
      [x.f.notes, str('x'.repeat(501)), /501 characters, more than the limit of 500/],

      ['summary', str('x'.repeat(3001)), /field summary: the text has 3001 characters, more than the limit of 3000/],
      ['title', str('x'.repeat(501)), /field title: .*limit of 500/],
      ['customer_id', str('junk'), /field customer_id: the value is not a Customer Profiles profile ARN/],
      ['customer_id', str('arn:aws:profile:us-east-1:123456789012:domains/d'), /not a Customer Profiles profile ARN/],
    ];
    const before = await caseCount();
    for (const [id, value, message] of bad) {
      const err = await assertValidation(create([fv(id, value)]), message);
      assert.ok(err.message.includes(id), err.message);
    }
    // 4100 is also the spec's own limit of stringValue, checked before the field is looked at.
    await assertValidation(create([fv(x.f.details, str('x'.repeat(4101)))]), /less than or equal to 4100/);
    // Non-finite numbers cannot travel as JSON numbers: the SDK sends "NaN" / "Infinity", refused by type.
    await assertValidation(create([fv(x.f.amount, { doubleValue: Number.NaN })]), new RegExp(`doubleValue|${x.f.amount}`));
    await assertValidation(create([fv(x.f.amount, { doubleValue: Number.POSITIVE_INFINITY })]));
    assert.equal(await caseCount(), before, 'nothing was written');

    // The limits themselves are accepted; characters count as code points.
    const ok = await create([
      fv(x.f.notes, str('😀'.repeat(500))),
      fv(x.f.details, str('x'.repeat(4100))),
      fv('summary', str('x'.repeat(3000))),
      fv(x.f.due, str('2024-03-16T23:16:57.893Z')),
      fv(x.f.link, str('http://localhost:8080/')),
      fv(x.f.amount, { doubleValue: -0.000001 }),
    ]);
    const v = await get(ok.caseId!, [x.f.notes, x.f.due]);
    assert.equal([...v[x.f.notes]!.stringValue!].length, 500);
    assert.deepEqual(v[x.f.due], str('2024-03-16T23:16:57.893Z'));
    // Years below 100 are years, not 1900-1999 (Date.UTC's reading of two-digit years).
    const early = await create([fv(x.f.due, str('0050-01-01T00:00:00Z'))]);
    assert.deepEqual((await get(early.caseId!, [x.f.due]))[x.f.due], str('0050-01-01T00:00:00.000Z'));
  });

  test('unknown, duplicate and server-kept field ids are refused; one bad field fails the whole request', async () => {
    const before = await caseCount();
    await assertValidation(create([fv('no_such_field', str('x'))]), /unknown field ids: no_such_field/);
    await assertValidation(create([fv(x.f.notes, str('a')), fv(x.f.notes, str('b'))]), new RegExp(`given more than once: ${x.f.notes}`));
    for (const id of ['case_id', 'reference_number', 'created_datetime', 'last_updated_datetime', 'last_closed_datetime', 'last_reopened_datetime', 'next_sla_breach_datetime']) {
      await assertValidation(create([fv(id, str('2024-03-16T23:16:57.893Z'))]), new RegExp(`kept by the server cannot be set: ${id}`));
    }
    await assertValidation(create([fv('last_updated_user', { userArnValue: USER_A })]), /kept by the server cannot be set: last_updated_user/);
    // Every problem is reported at once.
    const err = await assertValidation(create([fv(x.f.notes, str('fine')), fv(x.f.amount, str('1')), fv('nope', str('x'))]));
    assert.match(err.message, new RegExp(`field ${x.f.amount}:`));
    assert.match(err.message, /unknown field ids: nope/);
    assert.equal(await caseCount(), before, 'nothing was written');
  });

  test('template rules: it must exist, be Active and not deleted; required fields need values', async () => {
    const send = (templateId: string, fields: FieldValue[]) => t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId, fields }));
    const title = fv('title', str('T'));
    await assertNotFound(send('no-such-template', [title]), /Template no-such-template/);
    await assertValidation(send(x.inactiveTemplate, [title]), /Inactive/);
    await assertValidation(send(x.deletedTemplate, [title]), /deleted/);
    await assertValidation(send(x.template, []), /Required fields have no value: title/);
    await assertValidation(send(x.template, [fv('title', str('   '))]), /no value: title/);
    await assertValidation(send(x.template, [fv('title', { emptyValue: {} })]), /emptyValue: title/);
    await assertValidation(send(x.strictTemplate, [title]), new RegExp(`no value: ${x.f.amount}`));
    await assertValidation(send(x.strictTemplate, [title, fv(x.f.amount, { emptyValue: {} })]), new RegExp(`emptyValue: ${x.f.amount}`));
    const ok = await send(x.strictTemplate, [title, fv(x.f.amount, { doubleValue: 0 })]);
    assert.deepEqual((await get(ok.caseId!, [x.f.amount]))[x.f.amount], { doubleValue: 0 });
    // emptyValue on a field that is not required simply leaves it without a value.
    const blank = await send(x.template, [title, fv(x.f.notes, { emptyValue: {} })]);
    assert.deepEqual(await get(blank.caseId!, [x.f.notes]), {});
  });

  test('UpdateCase changes only the fields it names and keeps the server fields', async () => {
    const { caseId } = await create([fv(x.f.notes, str('n1')), fv(x.f.amount, { doubleValue: 1 })]);
    const before = await get(caseId!, ['title', x.f.notes, x.f.amount, 'created_datetime', 'last_updated_datetime']);
    await update(caseId!, [fv(x.f.amount, { doubleValue: 2 }), fv(x.f.vip, { booleanValue: true }), fv(x.f.notes, { emptyValue: {} })], {
      performedBy: { userArn: USER_A },
    });
    const after = await get(caseId!, ['title', x.f.notes, x.f.amount, x.f.vip, 'created_datetime', 'last_updated_datetime', 'last_updated_user']);
    assert.deepEqual(after.title, before.title);
    assert.equal(after[x.f.notes], undefined, 'emptyValue clears');
    assert.deepEqual(after[x.f.amount], { doubleValue: 2 });
    assert.deepEqual(after[x.f.vip], { booleanValue: true });
    assert.deepEqual(after.created_datetime, before.created_datetime);
    assert.ok(after.last_updated_datetime!.stringValue! >= before.last_updated_datetime!.stringValue!);
    assert.deepEqual(after.last_updated_user, { userArnValue: USER_A });

    // The same checks as CreateCase apply; nothing is written when one field fails.
    await assertValidation(update(caseId!, [fv(x.f.amount, { doubleValue: 3 }), fv(x.f.priority, str('old'))]), /inactive/);
    await assertValidation(update(caseId!, [fv('case_id', str('x'))]), /kept by the server/);
    await assertValidation(update(caseId!, [fv('title', { emptyValue: {} })]), /emptyValue: title/);
    await assertValidation(update(caseId!, [fv('status', { emptyValue: {} })]), /emptyValue: status/);
    // CreateCase takes a blank title for none; UpdateCase may not leave one.
    await assertValidation(update(caseId!, [fv('title', str(''))]), /blank text: title/);
    await assertValidation(update(caseId!, [fv('title', str(' \t '))]), /blank text: title/);
    await assertValidation(update(caseId!, [fv('nope', str('x'))]), /unknown field ids: nope/);
    await assertValidation(update(caseId!, [fv(x.f.amount, { doubleValue: 3 })], { performedBy: { userArn: 'bob' } }), /performedBy.userArn/);
    assert.deepEqual((await get(caseId!, [x.f.amount]))[x.f.amount], { doubleValue: 2 });

    // A change made without a user ARN leaves no stale last_updated_user behind.
    await update(caseId!, [fv(x.f.amount, { doubleValue: 4 })], { performedBy: { customEntity: 'nightly-import' } });
    assert.equal((await get(caseId!, ['last_updated_user'])).last_updated_user, undefined);
  });

  test('required fields of the template cannot be cleared by UpdateCase', async () => {
    const { caseId } = await t.client.send(
      new CreateCaseCommand({ domainId: x.domainId, templateId: x.strictTemplate, fields: [fv('title', str('T')), fv(x.f.amount, { doubleValue: 5 })] }),
    );
    await assertValidation(update(caseId!, [fv(x.f.amount, { emptyValue: {} })]), new RegExp(`emptyValue: ${x.f.amount}`));
    await update(caseId!, [fv(x.f.amount, { doubleValue: 6 })]);
    assert.deepEqual((await get(caseId!, [x.f.amount]))[x.f.amount], { doubleValue: 6 });
  });

  test('a template-required text field cannot be made blank by UpdateCase; other text fields can', async () => {
    const templateId = (await t.client.send(new CreateTemplateCommand({ domainId: x.domainId, name: 'needs-notes', requiredFields: [{ fieldId: x.f.notes }] })))
      .templateId!;
    const { caseId } = await t.client.send(
      new CreateCaseCommand({ domainId: x.domainId, templateId, fields: [fv('title', str('T')), fv(x.f.notes, str('v')), fv(x.f.details, str('d'))] }),
    );
    await assertValidation(update(caseId!, [fv(x.f.notes, str(''))]), new RegExp(`blank text: ${x.f.notes}`));
    await assertValidation(update(caseId!, [fv(x.f.notes, str('   '))]), new RegExp(`blank text: ${x.f.notes}`));
    await update(caseId!, [fv(x.f.notes, str(' w ')), fv(x.f.details, str(''))]);
    assert.deepEqual(await get(caseId!, [x.f.notes, x.f.details]), { [x.f.notes]: str(' w '), [x.f.details]: str('') });
  });

  test('an UpdateCase that changes nothing writes no audit event and keeps last_updated_datetime', async () => {
    const { caseId } = await create([fv(x.f.notes, str('same'))]);
    const stamp = (await get(caseId!, ['last_updated_datetime'])).last_updated_datetime;
    await update(caseId!, [fv(x.f.notes, str('same')), fv('title', str('A case')), fv(x.f.amount, { emptyValue: {} })], {
      performedBy: { userArn: USER_B },
    });
    await update(caseId!, []);
    const v = await get(caseId!, ['last_updated_datetime', 'last_updated_user']);
    assert.deepEqual(v.last_updated_datetime, stamp);
    assert.equal(v.last_updated_user, undefined);
    const { auditEvents } = await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }));
    assert.deepEqual(auditEvents!.map((e) => e!.type), ['Case.Created']);
  });

  test('closing sets last_closed_datetime; reopening sets last_reopened_datetime and keeps the close time', async () => {
    const { caseId } = await create([]);
    const none = await get(caseId!, ['last_closed_datetime', 'last_reopened_datetime']);
    assert.deepEqual(none, {});
    await update(caseId!, [fv('status', str('closed'))]);
    const closed = await get(caseId!, ['last_closed_datetime', 'last_reopened_datetime', 'last_updated_datetime']);
    assert.ok(closed.last_closed_datetime);
    assert.deepEqual(closed.last_closed_datetime, closed.last_updated_datetime);
    assert.equal(closed.last_reopened_datetime, undefined);
    await update(caseId!, [fv('status', str('open'))]);
    const reopened = await get(caseId!, ['last_closed_datetime', 'last_reopened_datetime', 'last_updated_datetime']);
    assert.deepEqual(reopened.last_closed_datetime, closed.last_closed_datetime);
    assert.deepEqual(reopened.last_reopened_datetime, reopened.last_updated_datetime);
    // A case created closed is closed at its creation time.
    const born = await create([fv('status', str('closed'))]);
    const b = await get(born.caseId!, ['last_closed_datetime', 'created_datetime']);
    assert.deepEqual(b.last_closed_datetime, b.created_datetime);
  });

  test('an option deactivated later stays on the cases that hold it but cannot be set anew', async () => {
    const holder = await create([fv(x.f.priority, str('low'))]);
    const other = await create([]);
    await t.client.send(
      new BatchPutFieldOptionsCommand({ domainId: x.domainId, fieldId: x.f.priority, options: [{ name: 'Low', value: 'low', active: false }] }),
    );
    try {
      await update(holder.caseId!, [fv(x.f.priority, str('low')), fv(x.f.notes, str('still low'))]);
      assert.deepEqual((await get(holder.caseId!, [x.f.priority]))[x.f.priority], str('low'));
      await assertValidation(update(other.caseId!, [fv(x.f.priority, str('low'))]), /option 'low' is inactive/);
      await assertValidation(create([fv(x.f.priority, str('low'))]), /option 'low' is inactive/);
    } finally {
      await t.client.send(
        new BatchPutFieldOptionsCommand({ domainId: x.domainId, fieldId: x.f.priority, options: [{ name: 'Low', value: 'low', active: true }] }),
      );
    }
  });

  test('deleted fields: CreateCase refuses them; UpdateCase changes them only where the case holds a value', async () => {
    const { fieldId } = await t.client.send(new CreateFieldCommand({ domainId: x.domainId, name: 'Legacy', type: 'Text' }));
    const holder = await create([fv(fieldId!, str('legacy value'))]);
    const without = await create([]);
    await t.client.send(new DeleteFieldCommand({ domainId: x.domainId, fieldId }));

    assert.deepEqual((await get(holder.caseId!, [fieldId!]))[fieldId!], str('legacy value'), 'GetCase still returns stored values');
    await assertValidation(create([fv(fieldId!, str('new'))]), new RegExp(`deleted field ids: ${fieldId}`));
    await assertValidation(update(without.caseId!, [fv(fieldId!, str('new'))]), new RegExp(`deleted field ids .*: ${fieldId}`));
    await update(holder.caseId!, [fv(fieldId!, str('changed'))]);
    assert.deepEqual((await get(holder.caseId!, [fieldId!]))[fieldId!], str('changed'));
    // The value must still fit the field.
    await assertValidation(update(holder.caseId!, [fv(fieldId!, { doubleValue: 1 })]), /Text field takes stringValue/);
    await update(holder.caseId!, [fv(fieldId!, { emptyValue: {} })]);
    assert.deepEqual(await get(holder.caseId!, [fieldId!]), {});
    // Once cleared, the case no longer holds a value: the field is out of reach.
    await assertValidation(update(holder.caseId!, [fv(fieldId!, str('again'))]), /deleted field ids/);
  });

  test('GetCase returns the requested fields that hold a value, in request order, each once', async () => {
    const { caseId } = await create([fv(x.f.amount, { doubleValue: 7 }), fv(x.f.notes, str('n'))], { tags: { a: '1' } });
    const r = await t.client.send(
      new GetCaseCommand({
        domainId: x.domainId,
        caseId,
        fields: [{ id: x.f.amount }, { id: 'unknown-id' }, { id: x.f.vip }, { id: 'title' }, { id: x.f.amount }, { id: 'constructor' }, { id: '__proto__' }],
      }),
    );
    assert.deepEqual(r.fields, [fv(x.f.amount, { doubleValue: 7 }), fv('title', str('A case'))]);
    assert.equal(r.templateId, x.template);
    assert.deepEqual(r.tags, { a: '1' });
    assert.equal(r.nextToken, undefined);
    // The SDK's GetCase paginator therefore ends after one page.
    const pages = [];
    for await (const page of paginateGetCase({ client: t.client }, { domainId: x.domainId, caseId, fields: [{ id: 'title' }] })) pages.push(page);
    assert.deepEqual(pages.map((p) => p.fields), [[fv('title', str('A case'))]]);
    await assertValidation(t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'title' }], nextToken: 'abc' })), /nextToken/);
    await assertValidation(t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [] })), /fields/);
    await assertNotFound(t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId: 'no-such-case', fields: [{ id: 'title' }] })), /Case no-such-case/);
  });

  test('tags: the template propagates its Cases tags; the request wins on conflicts', async () => {
    const { caseId } = await t.client.send(
      new CreateCaseCommand({
        domainId: x.domainId,
        templateId: x.strictTemplate,
        fields: [fv('title', str('T')), fv(x.f.amount, { doubleValue: 1 })],
        tags: { tier: 'platinum', env: 'test' },
      }),
    );
    const r = await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'title' }] }));
    assert.deepEqual(r.tags, { team: 'support', tier: 'platinum', env: 'test' });
    const plain = await create([]);
    assert.deepEqual((await t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId: plain.caseId, fields: [{ id: 'title' }] }))).tags, {});
  });

  test('DeleteCase removes the case with its audit history; every later call on it is not found', async () => {
    const { caseId } = await create([fv(x.f.notes, str('bye'))], { clientToken: 'delete-me' });
    await update(caseId!, [fv(x.f.notes, str('bye bye'))]);
    const before = await caseCount();
    await t.client.send(new DeleteCaseCommand({ domainId: x.domainId, caseId }));
    assert.equal(await caseCount(), before - 1);
    await assertNotFound(t.client.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'title' }] })), /Case/);
    await assertNotFound(update(caseId!, [fv(x.f.notes, str('x'))]), /Case/);
    await assertNotFound(t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId })), /Case/);
    await assertNotFound(t.client.send(new DeleteCaseCommand({ domainId: x.domainId, caseId })), /Case/);
    // Its clientToken went with it: the same request creates a new case.
    const again = await create([fv(x.f.notes, str('bye'))], { clientToken: 'delete-me' });
    assert.notEqual(again.caseId, caseId);
  });

  test("another account's domain and cases are not found", async () => {
    const { caseId } = await create([]);
    const other = clientFor(t.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
    try {
      await assertNotFound(other.send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'title' }] })), /Domain/);
      await assertNotFound(other.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('T'))] })), /Domain/);
      await assertNotFound(other.send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [] })), /Domain/);
      await assertNotFound(other.send(new DeleteCaseCommand({ domainId: x.domainId, caseId })), /Domain/);
      await assertNotFound(other.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId })), /Domain/);
    } finally {
      other.destroy();
    }
    await assertNotFound(update('no-such-case', []), /Case no-such-case/);
  });
});

describe('CreateCase idempotency', () => {
  let t: TestServer;
  let x: CaseFixture;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  before(async () => {
    t = await startTestServer({ now: () => new Date(clock) });
    x = await caseFixture(t.client, 'idem');
  });
  after(() => t.close());

  const request = (clientToken: string, title = 'Same', extra: Record<string, unknown> = {}) =>
    new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, clientToken, fields: [fv('title', str(title))], ...extra });
  const auditCount = async (caseId: string) =>
    (await t.client.send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId }))).auditEvents!.length;

  test('the same token with the same request returns the same case and creates nothing new', async () => {
    const a = await t.client.send(request('tok-1', 'Same', { tags: { k: 'v', j: 'w' }, fields: [fv('title', str('Same')), fv(x.f.notes, str('n'))] }));
    // Key order of maps and order of fields do not make a different request.
    const b = await t.client.send(request('tok-1', 'Same', { tags: { j: 'w', k: 'v' }, fields: [fv(x.f.notes, str('n')), fv('title', str('Same'))] }));
    assert.equal(b.caseId, a.caseId);
    assert.equal(b.caseArn, a.caseArn);
    assert.equal(await auditCount(a.caseId!), 1);
  });

  test('the same token with a different request is a ConflictException, not a second case', async () => {
    const a = await t.client.send(request('tok-2'));
    await assertConflict(t.client.send(request('tok-2', 'Different')), /clientToken 'tok-2'/);
    await assertConflict(t.client.send(request('tok-2', 'Same', { performedBy: { userArn: USER_A } })), /clientToken/);
    // Tokens are per domain and case-sensitive.
    const c = await t.client.send(request('TOK-2'));
    assert.notEqual(c.caseId, a.caseId);
  });

  test('ten concurrent identical calls create exactly one case', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => t.client.send(request('tok-burst', 'Burst'))));
    const ids = new Set(results.map((r) => r.caseId));
    assert.equal(ids.size, 1);
    const burst = await t.client.send(
      new SearchCasesCommand({ domainId: x.domainId, filter: { field: { equalTo: { id: 'title', value: { stringValue: 'Burst' } } } } }),
    );
    assert.equal(burst.totalCount, 1);
  });

  test('a token answers for 8 hours; after that it may be used again', async () => {
    const a = await t.client.send(request('tok-3'));
    clock += 8 * 60 * 60 * 1000 - 1000;
    assert.equal((await t.client.send(request('tok-3'))).caseId, a.caseId);
    await assertConflict(t.client.send(request('tok-3', 'Other')));
    clock += 2000;
    const b = await t.client.send(request('tok-3', 'Other'));
    assert.notEqual(b.caseId, a.caseId);
    assert.equal((await t.client.send(request('tok-3', 'Other'))).caseId, b.caseId);
  });

  test('a request refused by validation reserves nothing: the token still works once the request is fixed', async () => {
    await assertValidation(t.client.send(request('tok-4', 'Bad', { fields: [fv('title', str('Bad')), fv(x.f.amount, str('1'))] })));
    const ok = await t.client.send(request('tok-4', 'Good'));
    assert.equal((await t.client.send(request('tok-4', 'Good'))).caseId, ok.caseId);
  });
});
