import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateTemplateCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import type { FuzzIds } from './fuzz.js';

/** Creates a domain with a field, a layout, a template and a case, so fuzzed requests can hit real resources,
 * plus a decoy domain and case for the deleting operations. */
export async function seedFuzzTargets(client: ConnectCasesClient): Promise<FuzzIds> {
  const domain = await client.send(new CreateDomainCommand({ name: `fuzz-${process.pid}` }));
  const domainId = domain.domainId!;
  const field = await client.send(new CreateFieldCommand({ domainId, name: 'fuzz-text', type: 'Text' }));
  const layout = await client.send(
    new CreateLayoutCommand({ domainId, name: 'fuzz-layout', content: { basic: { moreInfo: { sections: [{ fieldGroup: { fields: [{ id: field.fieldId! }] } }] } } } }),
  );
  const template = await client.send(new CreateTemplateCommand({ domainId, name: 'fuzz-template', layoutConfiguration: { defaultLayout: layout.layoutId } }));
  const kase = await client.send(
    new CreateCaseCommand({ domainId, templateId: template.templateId!, fields: [{ id: 'title', value: { stringValue: 'fuzz target' } }] }),
  );
  const decoy = await client.send(new CreateDomainCommand({ name: `fuzz-decoy-${process.pid}` }));
  const decoyCase = await client.send(
    new CreateCaseCommand({ domainId, templateId: template.templateId!, fields: [{ id: 'title', value: { stringValue: 'fuzz decoy' } }] }),
  );
  return {
    decoyDomainId: decoy.domainId,
    decoyCaseId: decoyCase.caseId,
    domainId,
    caseId: kase.caseId,
    fieldIds: [field.fieldId!, 'title', 'status', 'summary'],
    templateId: template.templateId,
    layoutId: layout.layoutId,
    arn: domain.domainArn,
  };
}
