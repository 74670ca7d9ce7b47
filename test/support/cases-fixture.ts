/** A Cases domain for case tests: one custom field of every type, options, and templates in every state. */
import {
  BatchPutFieldOptionsCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteTemplateCommand,
  type ConnectCasesClient,
  type FieldValue,
  type FieldValueUnion,
} from '@aws-sdk/client-connectcases';

export const USER_A = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/agent/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const USER_B = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/agent/bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee';

export const str = (stringValue: string): FieldValueUnion => ({ stringValue });
export const fv = (id: string, value: FieldValueUnion): FieldValue => ({ id, value });

/** A domain with one custom field of every type, an Active template and a few broken ones. */
export interface CaseFixture {
  domainId: string;
  /** Custom field ids by name. */
  f: Record<'notes' | 'details' | 'amount' | 'vip' | 'due' | 'link' | 'owner' | 'priority', string>;
  template: string;
  /** Requires `amount`; propagates tags team=support and tier=gold. */
  strictTemplate: string;
  inactiveTemplate: string;
  deletedTemplate: string;
}

export async function caseFixture(client: ConnectCasesClient, name: string): Promise<CaseFixture> {
  const { domainId } = await client.send(new CreateDomainCommand({ name }));
  const field = async (fieldName: string, type: any, attributes?: any) =>
    (await client.send(new CreateFieldCommand({ domainId, name: fieldName, type, attributes }))).fieldId!;
  const f = {
    notes: await field('Notes', 'Text'),
    details: await field('Details', 'Text', { text: { isMultiline: true } }),
    amount: await field('Amount', 'Number'),
    vip: await field('VIP', 'Boolean'),
    due: await field('Due', 'DateTime'),
    link: await field('Link', 'Url'),
    owner: await field('Owner', 'User'),
    priority: await field('Priority', 'SingleSelect'),
  };
  await client.send(
    new BatchPutFieldOptionsCommand({
      domainId,
      fieldId: f.priority,
      options: [
        { name: 'High', value: 'high', active: true },
        { name: 'Low', value: 'low', active: true },
        { name: 'Old', value: 'old', active: false },
      ],
    }),
  );
  const template = async (templateName: string, extra: Record<string, unknown> = {}) =>
    (await client.send(new CreateTemplateCommand({ domainId, name: templateName, ...extra }))).templateId!;
  const fixture: CaseFixture = {
    domainId: domainId!,
    f,
    template: await template('Basic'),
    strictTemplate: await template('Strict', {
      requiredFields: [{ fieldId: f.amount }],
      tagPropagationConfigurations: [{ resourceType: 'Cases', tagMap: { team: 'support', tier: 'gold' } }],
    }),
    inactiveTemplate: await template('Dormant', { status: 'Inactive' }),
    deletedTemplate: await template('Gone'),
  };
  await client.send(new DeleteTemplateCommand({ domainId, templateId: fixture.deletedTemplate }));
  return fixture;
}
