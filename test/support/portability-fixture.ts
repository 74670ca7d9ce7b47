/**
 * A domain that uses everything an export carries: every field type, options (inactive ones too), layouts, case
 * rules, templates (one Inactive, one deleted but used by a case), a deleted field a case holds a value of, the event configuration, tags on every taggable
 * resource, cases with values of every type, all six related-item types, and an audit trail with updates and
 * deletions. Some cases could not be created again as they are: one holds an option deactivated since, and the
 * template now requires a field they lack.
 */
import assert from 'node:assert/strict';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateCaseRuleCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  DeleteFieldCommand,
  DeleteRelatedItemCommand,
  DeleteTemplateCommand,
  PutCaseEventConfigurationCommand,
  TagResourceCommand,
  UpdateCaseCommand,
  UpdateRelatedItemCommand,
  UpdateTemplateCommand,
  type ConnectCasesClient,
  type FieldType,
  type FieldValue,
} from '@aws-sdk/client-connectcases';
import { contactArn, fileArn } from './related-items-fixture.js';

export const USER = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/agent/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

export interface PortabilityFixture {
  domainId: string;
  fields: Record<string, string>;
  templateId: string;
  caseIds: string[];
}

export async function portabilityFixture(client: ConnectCasesClient, name: string, extraCases = 0): Promise<PortabilityFixture> {
  const { domainId, domainArn } = await client.send(new CreateDomainCommand({ name }));
  await client.send(new TagResourceCommand({ arn: domainArn, tags: { team: 'support' } }));
  const fields: Record<string, string> = {};
  const types: [string, FieldType][] = [
    ['note', 'Text'],
    ['amount', 'Number'],
    ['vip', 'Boolean'],
    ['due', 'DateTime'],
    ['tier', 'SingleSelect'],
    ['link', 'Url'],
    ['owner', 'User'],
  ];
  for (const [n, type] of types) {
    const attributes = n === 'note' ? { text: { isMultiline: true } } : undefined;
    fields[n] = (await client.send(new CreateFieldCommand({ domainId, name: n, type, description: `the ${n}`, attributes }))).fieldId!;
  }
  await client.send(new TagResourceCommand({ arn: `${domainArn}/field/${fields.tier}`, tags: { kind: 'select' } }));
  const put = async (fieldId: string, options: { name: string; value: string; active: boolean }[]) =>
    assert.deepEqual((await client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options }))).errors, []);
  await put(fields.tier, [
    { name: 'Gold', value: 'gold', active: true },
    { name: 'Silver', value: 'silver', active: true },
    { name: 'Old', value: 'old', active: false },
  ]);
  await put('status', [{ name: 'Pending', value: 'pending', active: true }]);
  await put('case_reason', [{ name: 'Billing', value: 'billing', active: true }]);

  const { layoutId, layoutArn } = await client.send(
    new CreateLayoutCommand({
      domainId,
      name: 'main',
      content: {
        basic: {
          topPanel: { sections: [{ fieldGroup: { name: 'top', fields: [{ id: fields.tier }, { id: fields.amount }] } }] },
          moreInfo: { sections: [{ fieldGroup: { name: 'more', fields: [{ id: fields.note }, { id: 'summary' }] } }] },
        },
      },
    }),
  );
  await client.send(new TagResourceCommand({ arn: layoutArn, tags: { layout: 'yes' } }));
  const rule = await client.send(
    new CreateCaseRuleCommand({
      domainId,
      name: 'gold-needs-amount',
      description: 'amount required for gold',
      rule: { required: { defaultValue: false, conditions: [{ equalTo: { operandOne: { fieldId: fields.tier }, operandTwo: { stringValue: 'gold' }, result: true } }] } },
    }),
  );
  await client.send(new TagResourceCommand({ arn: rule.caseRuleArn, tags: { rule: 'r1' } }));
  const { templateId, templateArn } = await client.send(
    new CreateTemplateCommand({
      domainId,
      name: 'standard',
      description: 'the usual',
      layoutConfiguration: { defaultLayout: layoutId },
      requiredFields: [{ fieldId: fields.tier }],
      status: 'Active',
      rules: [{ caseRuleId: rule.caseRuleId, fieldId: fields.amount }],
      tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { origin: 'template' } }],
    }),
  );
  await client.send(new TagResourceCommand({ arn: templateArn, tags: { tpl: 'standard' } }));
  await client.send(new CreateTemplateCommand({ domainId, name: 'retired', status: 'Inactive' }));
  const { templateId: oldTemplateId } = await client.send(new CreateTemplateCommand({ domainId, name: 'old-tpl', status: 'Active' }));
  await client.send(
    new PutCaseEventConfigurationCommand({
      domainId,
      eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: 'status' }, { id: fields.tier }] }, relatedItemData: { includeContent: true } } },
    }),
  );

  const values = (i: number): FieldValue[] => [
    { id: 'title', value: { stringValue: `case ${i}` } },
    { id: 'summary', value: { stringValue: `summary of case ${i}` } },
    { id: 'case_reason', value: { stringValue: 'billing' } },
    { id: 'assigned_user', value: { userArnValue: USER } },
    { id: fields.note, value: { stringValue: `line one\nline two of ${i}` } },
    { id: fields.amount, value: { doubleValue: 10.5 + i } },
    { id: fields.vip, value: { booleanValue: i % 2 === 0 } },
    { id: fields.due, value: { stringValue: '2030-01-02T03:04:05.678Z' } },
    { id: fields.tier, value: { stringValue: i === 1 ? 'silver' : 'gold' } },
    { id: fields.link, value: { stringValue: `https://example.com/${i}` } },
    { id: fields.owner, value: { userArnValue: USER } },
  ];
  const caseIds: string[] = [];
  for (let i = 0; i < 3 + extraCases; i++) {
    const { caseId } = await client.send(
      new CreateCaseCommand({ domainId, templateId: i === 2 ? oldTemplateId : templateId, fields: values(i), tags: { n: String(i) }, performedBy: { userArn: USER } }),
    );
    caseIds.push(caseId!);
  }
  const [a, b] = caseIds;
  // Later changes that would refuse these cases if they were created again as they are.
  await put(fields.tier, [{ name: 'Silver', value: 'silver', active: false }]);
  await client.send(new UpdateTemplateCommand({ domainId, templateId, requiredFields: [{ fieldId: fields.tier }, { fieldId: 'customer_id' }] }));
  await client.send(new DeleteTemplateCommand({ domainId, templateId: oldTemplateId }));
  // A deleted field whose value a case keeps: ListFields no longer shows it, GetCase still returns the value.
  fields.legacy = (await client.send(new CreateFieldCommand({ domainId, name: 'legacy', type: 'Text' }))).fieldId!;
  await client.send(new UpdateCaseCommand({ domainId, caseId: b, fields: [{ id: fields.legacy, value: { stringValue: 'kept after deletion' } }] }));
  await client.send(new DeleteFieldCommand({ domainId, fieldId: fields.legacy }));
  await client.send(new CreateTemplateCommand({ domainId, name: 'old-tpl', status: 'Active' }));
  await client.send(new UpdateCaseCommand({ domainId, caseId: a, fields: [{ id: 'status', value: { stringValue: 'closed' } }], performedBy: { customEntity: 'robot' } }));
  await client.send(new UpdateCaseCommand({ domainId, caseId: a, fields: [{ id: 'status', value: { stringValue: 'pending' } }] }));
  const item = (type: any, content: any, performedBy?: any) => client.send(new CreateRelatedItemCommand({ domainId, caseId: a, type, content, performedBy }));
  const comment = await item('Comment', { comment: { body: 'first comment', contentType: 'Text/Plain' } }, { userArn: USER });
  await client.send(new UpdateRelatedItemCommand({ domainId, caseId: a, relatedItemId: comment.relatedItemId!, content: { comment: { body: 'edited comment', contentType: 'Text/Plain' } } }));
  await item('Contact', { contact: { contactArn: contactArn(1) } });
  await item('File', { file: { fileArn: fileArn(1) } });
  await item('Sla', {
    sla: { slaInputConfiguration: { name: 'respond', type: 'CaseField', fieldId: 'status', targetFieldValues: [{ stringValue: 'closed' }], targetSlaMinutes: 600_000 } },
  });
  await item('ConnectCase', { connectCase: { caseId: b } });
  await item('Custom', { custom: { fields: [{ id: fields.note, value: { stringValue: 'custom note' } }, { id: fields.amount, value: { doubleValue: 3 } }] } });
  const gone = await item('Comment', { comment: { body: 'to be removed', contentType: 'Text/Plain' } });
  await client.send(new DeleteRelatedItemCommand({ domainId, caseId: a, relatedItemId: gone.relatedItemId! }));
  // A link to a case that comes later in the export, so an import meets it before its target exists.
  await client.send(new CreateRelatedItemCommand({ domainId, caseId: b, type: 'ConnectCase', content: { connectCase: { caseId: caseIds[2] } } }));
  return { domainId: domainId!, fields, templateId: templateId!, caseIds };
}
