/** Durability: everything written before a restart on the same data directory is found again, and old tokens still page. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  GetDomainCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  ListDomainsCommand,
  ListFieldOptionsCommand,
  ListFieldsCommand,
  ListTagsForResourceCommand,
  SearchCasesCommand,
  SearchRelatedItemsCommand,
  TagResourceCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { startTestServer } from './helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'opencases-restart-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every page of ListFields from `token` on, as field ids. */
async function fieldIdsFrom(client: ConnectCasesClient, domainId: string, token: string | undefined): Promise<string[]> {
  const ids: string[] = [];
  let nextToken = token;
  do {
    const page = await client.send(new ListFieldsCommand({ domainId, maxResults: 4, nextToken }));
    ids.push(...page.fields!.map((f) => f.fieldId!));
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

test('a restart on the same data directory keeps metadata, cases, tags and pagination tokens', async () => {
  const first = await startTestServer({ dataDir });
  const c1 = first.client;
  const domain = await c1.send(new CreateDomainCommand({ name: 'durable' }));
  const domainId = domain.domainId!;
  await c1.send(new CreateDomainCommand({ name: 'durable-2' }));
  await c1.send(new TagResourceCommand({ arn: domain.domainArn, tags: { env: 'test' } }));
  const priority = await c1.send(new CreateFieldCommand({ domainId, name: 'Priority', type: 'SingleSelect', description: 'How urgent' }));
  const notes = await c1.send(new CreateFieldCommand({ domainId, name: 'Notes', type: 'Text' }));
  const options = [
    { name: 'Low', value: 'low', active: true },
    { name: 'High', value: 'high', active: true },
    { name: 'Urgent', value: 'urgent', active: false },
  ];
  await c1.send(new BatchPutFieldOptionsCommand({ domainId, fieldId: priority.fieldId, options }));
  const content = { basic: { topPanel: { sections: [{ fieldGroup: { name: 'Top', fields: [{ id: priority.fieldId! }, { id: notes.fieldId! }] } }] } } };
  const layout = await c1.send(new CreateLayoutCommand({ domainId, name: 'Main', content }));
  const template = await c1.send(
    new CreateTemplateCommand({
      domainId,
      name: 'Incident',
      description: 'For incidents',
      layoutConfiguration: { defaultLayout: layout.layoutId },
      requiredFields: [{ fieldId: priority.fieldId! }],
      status: 'Active',
    }),
  );

  const caseIds: string[] = [];
  for (const [i, priorityValue] of ['low', 'high', 'low'].entries()) {
    const created = await c1.send(
      new CreateCaseCommand({
        domainId,
        templateId: template.templateId,
        fields: [
          { id: 'title', value: { stringValue: `Case ${i}` } },
          { id: priority.fieldId!, value: { stringValue: priorityValue } },
          { id: notes.fieldId!, value: { stringValue: `notes ${i}` } },
        ],
        tags: { case: String(i) },
      }),
    );
    caseIds.push(created.caseId!);
  }
  const comment = await c1.send(
    new CreateRelatedItemCommand({ domainId, caseId: caseIds[0], type: 'Comment', content: { comment: { body: 'kept', contentType: 'Text/Plain' } } }),
  );

  // Tokens issued before the restart: the first page of four listings.
  const casesPage = await c1.send(new SearchCasesCommand({ domainId, maxResults: 1, fields: [{ id: 'title' }] }));
  const allFieldIds = await fieldIdsFrom(c1, domainId, undefined);
  const fieldsPage = await c1.send(new ListFieldsCommand({ domainId, maxResults: 4 }));
  const domainsPage = await c1.send(new ListDomainsCommand({ maxResults: 1 }));
  const optionsPage = await c1.send(new ListFieldOptionsCommand({ domainId, fieldId: priority.fieldId, maxResults: 1 }));
  for (const token of [casesPage.nextToken, fieldsPage.nextToken, domainsPage.nextToken, optionsPage.nextToken]) assert.ok(token);
  await first.close();

  const second = await startTestServer({ dataDir });
  try {
    const c2 = second.client;
    const gotDomain = await c2.send(new GetDomainCommand({ domainId }));
    assert.equal(gotDomain.name, 'durable');
    assert.equal(gotDomain.domainArn, domain.domainArn);
    assert.deepEqual(gotDomain.tags, { env: 'test' });
    assert.deepEqual((await c2.send(new ListTagsForResourceCommand({ arn: domain.domainArn }))).tags, { env: 'test' });

    const { fields } = await c2.send(new ListFieldsCommand({ domainId }));
    assert.deepEqual(
      fields!.filter((f) => f.namespace === 'Custom').map((f) => [f.fieldId, f.name, f.type]),
      [
        [priority.fieldId, 'Priority', 'SingleSelect'],
        [notes.fieldId, 'Notes', 'Text'],
      ],
    );
    assert.deepEqual((await c2.send(new ListFieldOptionsCommand({ domainId, fieldId: priority.fieldId }))).options, options);

    const gotLayout = await c2.send(new GetLayoutCommand({ domainId, layoutId: layout.layoutId }));
    assert.equal(gotLayout.name, 'Main');
    assert.deepEqual(gotLayout.content, content);

    const gotTemplate = await c2.send(new GetTemplateCommand({ domainId, templateId: template.templateId }));
    assert.equal(gotTemplate.name, 'Incident');
    assert.equal(gotTemplate.description, 'For incidents');
    assert.equal(gotTemplate.status, 'Active');
    assert.deepEqual(gotTemplate.layoutConfiguration, { defaultLayout: layout.layoutId });
    assert.deepEqual(gotTemplate.requiredFields, [{ fieldId: priority.fieldId }]);

    const gotCase = await c2.send(new GetCaseCommand({ domainId, caseId: caseIds[1], fields: [{ id: 'title' }, { id: priority.fieldId! }, { id: notes.fieldId! }] }));
    assert.equal(gotCase.templateId, template.templateId);
    assert.deepEqual(gotCase.tags, { case: '1' });
    assert.deepEqual(
      Object.fromEntries(gotCase.fields!.map((f) => [f.id, f.value?.stringValue])),
      { title: 'Case 1', [priority.fieldId!]: 'high', [notes.fieldId!]: 'notes 1' },
    );
    const related = await c2.send(new SearchRelatedItemsCommand({ domainId, caseId: caseIds[0] }));
    assert.ok(related.relatedItems!.some((r) => r?.relatedItemId === comment.relatedItemId && r?.content?.comment?.body === 'kept'));
    const audit = await c2.send(new GetCaseAuditEventsCommand({ domainId, caseId: caseIds[0] }));
    assert.ok(audit.auditEvents!.length > 0, 'the audit trail survives too');
    // Search still filters on field values after the restart.
    const lows = await c2.send(
      new SearchCasesCommand({ domainId, filter: { field: { equalTo: { id: priority.fieldId!, value: { stringValue: 'low' } } } } }),
    );
    assert.deepEqual(lows.cases!.map((c) => c?.caseId).sort(), [caseIds[0], caseIds[2]].sort());

    // The old tokens continue exactly where their listing stopped.
    const seen = [casesPage.cases![0]?.caseId];
    let caseToken = casesPage.nextToken;
    while (caseToken) {
      const page = await c2.send(new SearchCasesCommand({ domainId, maxResults: 1, nextToken: caseToken, fields: [{ id: 'title' }] }));
      seen.push(...page.cases!.map((c) => c?.caseId));
      caseToken = page.nextToken;
    }
    assert.deepEqual([...seen].sort(), [...caseIds].sort());

    const rest = await fieldIdsFrom(c2, domainId, fieldsPage.nextToken);
    assert.deepEqual([...fieldsPage.fields!.map((f) => f.fieldId), ...rest], allFieldIds);
    const domains2 = await c2.send(new ListDomainsCommand({ maxResults: 1, nextToken: domainsPage.nextToken }));
    assert.notEqual(domains2.domains![0].domainId, domainsPage.domains![0].domainId);
    assert.deepEqual(
      [domainsPage.domains![0].name, domains2.domains![0].name].sort(),
      ['durable', 'durable-2'],
    );
    const options2 = await c2.send(new ListFieldOptionsCommand({ domainId, fieldId: priority.fieldId, nextToken: optionsPage.nextToken }));
    assert.deepEqual([...optionsPage.options!, ...options2.options!], options);
  } finally {
    await second.close();
  }
});
