import type { Handler } from '../handler.js';
import { ConflictException, ServiceQuotaExceededException } from '../../protocol/errors.js';
import { templateArn } from '../../cases/arn.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { checkTemplateReferences } from '../../cases/templates.js';

export const createTemplate: Handler<'CreateTemplate'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    if (await tx.findResourceByName('template', domain.domainId, input.name)) {
      throw new ConflictException(`A template named '${input.name}' already exists in this domain`);
    }
    await checkTemplateReferences(tx, domain.domainId, input);
    if ((await tx.countResources('template', domain.domainId, false)) >= ctx.quotas.templatesPerDomain) {
      throw new ServiceQuotaExceededException(`This domain already has the maximum of ${ctx.quotas.templatesPerDomain} templates`);
    }
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
