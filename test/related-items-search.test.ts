import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCaseCommand,
  CreateRelatedItemCommand,
  ListCasesForContactCommand,
  SearchAllRelatedItemsCommand,
  SearchRelatedItemsCommand,
  paginateListCasesForContact,
  paginateSearchAllRelatedItems,
  paginateSearchRelatedItems,
  type CustomFieldsFilter,
  type RelatedItemInputContent,
  type RelatedItemType,
  type RelatedItemTypeFilter,
  type SearchAllRelatedItemsSort,
} from '@aws-sdk/client-connectcases';
import { assertNotFound, assertValidation, startTestServer, type TestServer } from './helpers.js';
import { caseFixture, fv, str, type CaseFixture } from './support/cases-fixture.js';
import { contactArn, fileArn } from './support/related-items-fixture.js';

describe('related item search', () => {
  let t: TestServer;
  let x: CaseFixture;
  let dir: string;
  let clock = Date.parse('2025-06-01T08:00:00.000Z');
  /** Item ids by label, and the case of each label. */
  const id: Record<string, string> = {};
  const caseOf: Record<string, string> = {};
  let caseA: string;
  let caseB: string;
  let caseC: string;

  const newCase = async () =>
    (await t.client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, fields: [fv('title', str('s'))] }))).caseId!;
  /** Creates an item one minute after the previous one, so association times differ. */
  const add = async (label: string, caseId: string, type: RelatedItemType, content: RelatedItemInputContent) => {
    clock += 60_000;
    id[label] = (await t.client.send(new CreateRelatedItemCommand({ domainId: x.domainId, caseId, type, content }))).relatedItemId!;
    caseOf[label] = caseId;
  };
  const labelOf = (relatedItemId: string) => Object.keys(id).find((k) => id[k] === relatedItemId)!;
  const search = async (caseId: string, filters?: RelatedItemTypeFilter[]) => {
    const r = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId, filters }));
    assert.equal(r.nextToken, undefined);
    return r.relatedItems!.map((i) => labelOf(i!.relatedItemId!));
  };
  const searchAll = async (filters?: RelatedItemTypeFilter[], sorts?: SearchAllRelatedItemsSort[]) => {
    const r = await t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, filters, sorts }));
    assert.equal(r.nextToken, undefined);
    return r.relatedItems!.map((i) => labelOf(i!.relatedItemId!));
  };
  const custom = (fields: CustomFieldsFilter): RelatedItemTypeFilter => ({ custom: { fields } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-search-'));
    const contacts = join(dir, 'contacts.json');
    writeFileSync(
      contacts,
      JSON.stringify([
        { contactArn: contactArn(2), channel: 'CHAT', connectedToSystemTime: '2025-05-31T08:00:00Z' },
        { contactArn: contactArn(3), channel: 'TASK', connectedToSystemTime: '2025-05-31T09:00:00Z' },
      ]),
    );
    t = await startTestServer({ now: () => new Date(clock), contactsFile: contacts });
    x = await caseFixture(t.client, 'search');
    caseA = await newCase();
    caseB = await newCase();
    caseC = await newCase();
    await add('comment', caseA, 'Comment', { comment: { body: 'Called the customer', contentType: 'Text/Plain' } });
    await add('voice', caseA, 'Contact', { contact: { contactArn: contactArn(1) } });
    await add('chat', caseA, 'Contact', { contact: { contactArn: contactArn(2) } });
    await add('file', caseA, 'File', { file: { fileArn: fileArn(1) } });
    await add('sla', caseA, 'Sla', {
      sla: { slaInputConfiguration: { name: 'Close fast', type: 'CaseField', fieldId: 'status', targetFieldValues: [str('closed')], targetSlaMinutes: 60 } },
    });
    await add('link', caseA, 'ConnectCase', { connectCase: { caseId: caseB } });
    await add('order', caseA, 'Custom', {
      custom: { fields: [fv(x.f.notes, str('Order 17 shipped')), fv(x.f.amount, { doubleValue: 5 }), fv(x.f.vip, { booleanValue: true })] },
    });
    await add('refund', caseA, 'Custom', { custom: { fields: [fv(x.f.notes, str('Refund')), fv(x.f.amount, { doubleValue: 50 })] } });
    await add('b-voice', caseB, 'Contact', { contact: { contactArn: contactArn(1) } });
    await add('b-comment', caseB, 'Comment', { comment: { body: 'Second case', contentType: 'Text/Plain' } });
    await add('b-sla', caseB, 'Sla', {
      sla: { slaInputConfiguration: { name: 'Later', type: 'CaseField', fieldId: 'status', targetFieldValues: [str('closed')], targetSlaMinutes: 600 } },
    });
    await add('c-task', caseC, 'Contact', { contact: { contactArn: contactArn(3) } });
    await add('c-voice', caseC, 'Contact', { contact: { contactArn: contactArn(1) } });
    await add('c-voice-again', caseC, 'Contact', { contact: { contactArn: contactArn(1) } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ALL_A = ['comment', 'voice', 'chat', 'file', 'sla', 'link', 'order', 'refund'];

  test('no filter returns every related item of the case, oldest first, with its content', async () => {
    assert.deepEqual(await search(caseA), ALL_A);
    assert.deepEqual(await search(caseA, []), ALL_A);
    assert.deepEqual(await search(caseB), ['b-voice', 'b-comment', 'b-sla']);
    const r = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, filters: [{ connectCase: {} }] }));
    assert.deepEqual(r.relatedItems![0]!.content, { connectCase: { caseId: caseB } });
    assert.equal(r.relatedItems![0]!.type, 'ConnectCase');
  });

  test('contact filters: by type, channel and contact ARN', async () => {
    assert.deepEqual(await search(caseA, [{ contact: {} }]), ['voice', 'chat']);
    assert.deepEqual(await search(caseA, [{ contact: { channel: ['CHAT'] } }]), ['chat']);
    assert.deepEqual(await search(caseA, [{ contact: { channel: ['VOICE', 'TASK'] } }]), ['voice']);
    assert.deepEqual(await search(caseA, [{ contact: { channel: [] } }]), ['voice', 'chat'], 'an empty channel list does not narrow');
    assert.deepEqual(await search(caseA, [{ contact: { contactArn: contactArn(2) } }]), ['chat']);
    assert.deepEqual(await search(caseA, [{ contact: { contactArn: contactArn(2), channel: ['VOICE'] } }]), []);
    assert.deepEqual(await search(caseA, [{ contact: { contactArn: contactArn(9) } }]), []);
    const r = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, filters: [{ contact: { channel: ['CHAT'] } }] }));
    const chat = r.relatedItems![0]!.content!.contact!;
    assert.equal(chat.channel, 'CHAT');
    assert.equal(chat.connectedToSystemTime!.toISOString(), '2025-05-31T08:00:00.000Z');
  });

  test('comment, file, SLA and linked-case filters', async () => {
    assert.deepEqual(await search(caseA, [{ comment: {} }]), ['comment']);
    assert.deepEqual(await search(caseA, [{ file: {} }]), ['file']);
    assert.deepEqual(await search(caseA, [{ file: { fileArn: fileArn(1) } }]), ['file']);
    assert.deepEqual(await search(caseA, [{ file: { fileArn: fileArn(2) } }]), []);
    assert.deepEqual(await search(caseA, [{ sla: {} }]), ['sla']);
    assert.deepEqual(await search(caseA, [{ sla: { name: 'Close fast' } }]), ['sla']);
    assert.deepEqual(await search(caseA, [{ sla: { name: 'Close' } }]), [], 'SLA names match exactly');
    assert.deepEqual(await search(caseA, [{ sla: { status: 'Active' } }]), ['sla']);
    assert.deepEqual(await search(caseA, [{ sla: { name: 'Close fast', status: 'Overdue' } }]), []);
    assert.deepEqual(await search(caseA, [{ connectCase: { caseId: caseB } }]), ['link']);
    assert.deepEqual(await search(caseA, [{ connectCase: { caseId: caseC } }]), []);
  });

  test('several filters are OR-ed', async () => {
    assert.deepEqual(await search(caseA, [{ file: {} }, { comment: {} }]), ['comment', 'file']);
    assert.deepEqual(await search(caseA, [{ contact: { channel: ['CHAT'] } }, { sla: { status: 'Active' } }, { custom: {} }]), ['chat', 'sla', 'order', 'refund']);
  });

  test('custom filters: every comparison, not, andAll and orAll', async () => {
    const notes = x.f.notes;
    const amount = x.f.amount;
    const vip = x.f.vip;
    assert.deepEqual(await search(caseA, [{ custom: {} }]), ['order', 'refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { equalTo: fv(notes, str('Refund')) } })]), ['refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { equalTo: fv(notes, str('refund')) } })]), [], 'equalTo is exact');
    assert.deepEqual(await search(caseA, [custom({ field: { contains: fv(notes, str('SHIPPED')) } })]), ['order'], 'contains ignores case');
    assert.deepEqual(await search(caseA, [custom({ field: { greaterThan: fv(amount, { doubleValue: 5 }) } })]), ['refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { greaterThanOrEqualTo: fv(amount, { doubleValue: 5 }) } })]), ['order', 'refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { lessThan: fv(amount, { doubleValue: 50 }) } })]), ['order']);
    assert.deepEqual(await search(caseA, [custom({ field: { lessThanOrEqualTo: fv(amount, { doubleValue: 50 }) } })]), ['order', 'refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { equalTo: fv(vip, { booleanValue: true }) } })]), ['order']);
    assert.deepEqual(await search(caseA, [custom({ field: { equalTo: fv(vip, { emptyValue: {} }) } })]), ['refund'], 'emptyValue matches items without the field');
    assert.deepEqual(await search(caseA, [custom({ not: { field: { equalTo: fv(vip, { booleanValue: true }) } } })]), ['refund']);
    assert.deepEqual(
      await search(caseA, [custom({ andAll: [{ field: { greaterThan: fv(amount, { doubleValue: 1 }) } }, { field: { contains: fv(notes, str('order')) } }] })]),
      ['order'],
    );
    assert.deepEqual(
      await search(caseA, [custom({ orAll: [{ field: { equalTo: fv(notes, str('Refund')) } }, { field: { equalTo: fv(vip, { booleanValue: true }) } }] })]),
      ['order', 'refund'],
    );
    assert.deepEqual(await search(caseA, [custom({ orAll: [] })]), []);
    assert.deepEqual(await search(caseA, [custom({ andAll: [] })]), ['order', 'refund']);
    assert.deepEqual(await search(caseA, [custom({ field: { lessThan: fv(x.f.due, str('2030-01-01T00:00:00+01:00')) } })]), []);
  });

  test('custom conditions are checked like SearchCases filters', async () => {
    const bad = async (fields: CustomFieldsFilter, message: RegExp) =>
      assertValidation(t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, filters: [{ comment: {} }, custom(fields)] })), message);
    await bad({} as any, /Union must have exactly one member set/);
    await bad({ field: { equalTo: fv('no-such-field', str('x')) } }, /filters\[1\]\.custom\.fields\.field\.equalTo: field 'no-such-field' does not exist/);
    await bad({ field: { equalTo: fv(x.f.amount, str('5')) } }, /is of type Number and is compared with doubleValue, not stringValue/);
    await bad({ field: { contains: fv(x.f.amount, { doubleValue: 5 }) } }, /contains applies to Text, Url, SingleSelect and DateTime fields/);
    await bad({ not: { field: { greaterThan: fv(x.f.notes, { emptyValue: {} }) } } }, /filters\[1\]\.custom\.fields\.not\.field\.greaterThan: emptyValue can only be used with equalTo/);
    await bad({ field: { equalTo: fv(x.f.due, str('soon')) } }, /not an ISO-8601 date-time/);
    let deep: CustomFieldsFilter = { field: { equalTo: fv(x.f.notes, str('x')) } };
    for (let i = 0; i < 50; i++) deep = { not: deep };
    await bad(deep, /nest at most 10 levels deep/);
  });

  test('SLA status filters follow the clock', async () => {
    const saved = clock;
    clock += 24 * 60 * 60_000;
    assert.deepEqual(await search(caseA, [{ sla: { status: 'Overdue' } }]), ['sla']);
    assert.deepEqual(await searchAll([{ sla: { status: 'Overdue' } }]), ['sla', 'b-sla']);
    clock = saved;
    assert.deepEqual(await searchAll([{ sla: { status: 'Active' } }]), ['sla', 'b-sla']);
  });

  test('pages walk every matching item exactly once', async () => {
    const walked: string[] = [];
    let pages = 0;
    for await (const page of paginateSearchRelatedItems({ client: t.client, pageSize: 3 }, { domainId: x.domainId, caseId: caseA })) {
      pages++;
      assert.ok(page.relatedItems!.length <= 3);
      walked.push(...page.relatedItems!.map((i) => labelOf(i!.relatedItemId!)));
    }
    assert.deepEqual(walked, ALL_A);
    assert.equal(pages, 3);

    // With filters the store cannot apply, pages still fill up and no empty last page is served.
    const filtered: string[] = [];
    const sizes: number[] = [];
    const filters: RelatedItemTypeFilter[] = [{ contact: { channel: ['VOICE'] } }, { custom: { fields: { field: { greaterThan: fv(x.f.amount, { doubleValue: 0 }) } } } }];
    for await (const page of paginateSearchRelatedItems({ client: t.client, pageSize: 2 }, { domainId: x.domainId, caseId: caseA, filters })) {
      sizes.push(page.relatedItems!.length);
      filtered.push(...page.relatedItems!.map((i) => labelOf(i!.relatedItemId!)));
    }
    assert.deepEqual(filtered, ['voice', 'order', 'refund']);
    assert.deepEqual(sizes, [2, 1]);
  });

  test('pagination tokens are checked and bound to their case', async () => {
    const first = await t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, maxResults: 1 }));
    assert.ok(first.nextToken);
    await assertValidation(t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, nextToken: first.nextToken + 'x' })), /nextToken/);
    await assertValidation(t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseB, nextToken: first.nextToken })), /different request/);
    await assertValidation(t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, nextToken: first.nextToken })), /different request/);
    await assertValidation(t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, maxResults: 26 })), /maxResults.*less than or equal to 25/);
    await assertValidation(
      t.client.send(new SearchRelatedItemsCommand({ domainId: x.domainId, caseId: caseA, filters: Array(11).fill({ comment: {} }) })),
      /filters.*length less than or equal to 10/,
    );
  });

  test('SearchAllRelatedItems searches the whole domain, filters OR-ed, oldest first by default', async () => {
    const everything = await searchAll();
    assert.deepEqual(everything, Object.keys(id));
    assert.deepEqual(await searchAll([{ contact: { contactArn: contactArn(1) } }]), ['voice', 'b-voice', 'c-voice', 'c-voice-again']);
    assert.deepEqual(await searchAll([{ comment: {} }, { contact: { channel: ['TASK'] } }]), ['comment', 'b-comment', 'c-task']);
    const r = await t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, filters: [{ connectCase: { caseId: caseB } }] }));
    const [link] = r.relatedItems!;
    assert.equal(link!.caseId, caseA);
    assert.equal(link!.type, 'ConnectCase');
    assert.deepEqual(link!.content, { connectCase: { caseId: caseB } });
    assert.ok(link!.associationTime instanceof Date);
    await assertNotFound(t.client.send(new SearchAllRelatedItemsCommand({ domainId: 'no-domain' })), /Domain/);
  });

  test('SearchAllRelatedItems sorts by association time or case id, both ways, and pages in that order', async () => {
    const labels = Object.keys(id);
    const byCase = (order: 1 | -1) =>
      [...labels].sort((a, b) => (caseOf[a] === caseOf[b] ? labels.indexOf(a) - labels.indexOf(b) : caseOf[a] < caseOf[b] ? -order : order));
    const expectations: [SearchAllRelatedItemsSort[], string[]][] = [
      [[{ sortProperty: 'AssociationTime', sortOrder: 'Asc' }], labels],
      [[{ sortProperty: 'AssociationTime', sortOrder: 'Desc' }], [...labels].reverse()],
      [[{ sortProperty: 'CaseId', sortOrder: 'Asc' }], byCase(1)],
      [[{ sortProperty: 'CaseId', sortOrder: 'Desc' }], byCase(-1)],
      [
        [
          { sortProperty: 'CaseId', sortOrder: 'Asc' },
          { sortProperty: 'AssociationTime', sortOrder: 'Desc' },
        ],
        [...labels].sort((a, b) => (caseOf[a] === caseOf[b] ? labels.indexOf(b) - labels.indexOf(a) : caseOf[a] < caseOf[b] ? -1 : 1)),
      ],
    ];
    for (const [sorts, expected] of expectations) {
      assert.deepEqual(await searchAll(undefined, sorts), expected, JSON.stringify(sorts));
      const walked: string[] = [];
      for await (const page of paginateSearchAllRelatedItems({ client: t.client, pageSize: 4 }, { domainId: x.domainId, sorts })) {
        walked.push(...page.relatedItems!.map((i) => labelOf(i!.relatedItemId!)));
      }
      assert.deepEqual(walked, expected, `paged ${JSON.stringify(sorts)}`);
    }
    // A token taken in one order is refused in another.
    const first = await t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, maxResults: 1, sorts: [{ sortProperty: 'CaseId', sortOrder: 'Asc' }] }));
    await assertValidation(
      t.client.send(new SearchAllRelatedItemsCommand({ domainId: x.domainId, nextToken: first.nextToken, sorts: [{ sortProperty: 'CaseId', sortOrder: 'Desc' }] })),
      /different request/,
    );
  });

  test('ListCasesForContact lists each case linked to the contact once, by case id, in pages', async () => {
    const expected = [caseA, caseB, caseC].sort();
    const r = await t.client.send(new ListCasesForContactCommand({ domainId: x.domainId, contactArn: contactArn(1) }));
    assert.deepEqual(r.cases, expected.map((caseId) => ({ caseId, templateId: x.template })));
    assert.equal(r.nextToken, undefined);
    const walked: string[] = [];
    for await (const page of paginateListCasesForContact({ client: t.client, pageSize: 1 }, { domainId: x.domainId, contactArn: contactArn(1) })) {
      assert.ok(page.cases!.length <= 1);
      walked.push(...page.cases!.map((c) => c.caseId!));
    }
    assert.deepEqual(walked, expected);
    assert.deepEqual((await t.client.send(new ListCasesForContactCommand({ domainId: x.domainId, contactArn: contactArn(3) }))).cases, [{ caseId: caseC, templateId: x.template }]);
    assert.deepEqual((await t.client.send(new ListCasesForContactCommand({ domainId: x.domainId, contactArn: contactArn(42) }))).cases, []);
    await assertValidation(t.client.send(new ListCasesForContactCommand({ domainId: x.domainId, contactArn: 'contact-1' })), /contactArn 'contact-1' is not an Amazon Connect contact ARN/);
    await assertValidation(t.client.send(new ListCasesForContactCommand({ domainId: x.domainId, contactArn: contactArn(1), maxResults: 11 })), /maxResults/);
    await assertNotFound(t.client.send(new ListCasesForContactCommand({ domainId: 'no-domain', contactArn: contactArn(1) })), /Domain/);
    // Another domain's links stay in that domain.
    const other = await caseFixture(t.client, 'search-other');
    assert.deepEqual((await t.client.send(new ListCasesForContactCommand({ domainId: other.domainId, contactArn: contactArn(1) }))).cases, []);
  });
});
