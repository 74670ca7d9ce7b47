import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { requireTemplate, requireFreeName } from '../../cases/metadata.js';
import { checkTemplateReferences } from '../../cases/templates.js';

/** Members left out keep their value; an empty list clears requiredFields, rules or tagPropagationConfigurations. */
export const updateTemplate: Handler<'UpdateTemplate'> = async (input, ctx) => {
  const { domainId, templateId, ...changes } = input;
  if (Object.values(changes).every((v) => v === undefined)) {
    throw new ValidationException('UpdateTemplate needs at least one attribute to change');
  }
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, domainId);
    const record = await requireTemplate(tx, domain.domainId, templateId);
    if (record.deleted) throw new ValidationException(`Template ${record.id} has been deleted and cannot be changed`);
    if (changes.name !== undefined) await requireFreeName(tx, 'template', domain.domainId, changes.name, record.id);
    await checkTemplateReferences(tx, domain.domainId, changes);
    const t = record.data;
    const template: TemplateData = {
      ...t,
      name: changes.name ?? t.name,
      description: changes.description ?? t.description,
      layoutConfiguration: changes.layoutConfiguration ?? t.layoutConfiguration,
      requiredFields: changes.requiredFields ?? t.requiredFields,
      status: changes.status ?? t.status,
      rules: changes.rules ?? t.rules,
      tagPropagationConfigurations: changes.tagPropagationConfigurations ?? t.tagPropagationConfigurations,
      lastModifiedTime: ctx.now().toISOString(),
    };
    await tx.putResource({ ...record, name: template.name, data: template });
  });
  return {};
};
