import type { Handler } from '../handler.js';
import { templateArn } from '../../cases/arn.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { checkTemplateReferences } from '../../cases/templates.js';
import { requireFreeName, requireBelowQuota } from '../../cases/metadata.js';

export const createTemplate: Handler<'CreateTemplate'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    await requireFreeName(tx, 'template', domain.domainId, input.name);
    await checkTemplateReferences(tx, domain.domainId, input);
    await requireBelowQuota(tx, 'template', domain.domainId, ctx.quotas.templatesPerDomain);
    const templateId = ctx.newId();
    const now = ctx.now().toISOString();
    const template: TemplateData = {
      templateId,
      templateArn: templateArn(ctx.region, ctx.accountId, domain.domainId, templateId),
      name: input.name,
      description: input.description,
      layoutConfiguration: input.layoutConfiguration,
      requiredFields: input.requiredFields ?? [],
      status: input.status ?? 'Active',
      rules: input.rules,
      tagPropagationConfigurations: input.tagPropagationConfigurations,
      createdTime: now,
      lastModifiedTime: now,
    };
    await tx.putResource({ kind: 'template', scope: domain.domainId, id: templateId, name: input.name, deleted: false, data: template });
    return { templateId, templateArn: template.templateArn };
  });
};
