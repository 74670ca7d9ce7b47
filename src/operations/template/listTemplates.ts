import type { Handler } from '../handler.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';

export const listTemplates: Handler<'ListTemplates'> = async (input, ctx) => {
  await ctx.store.read((tx) => requireDomain(tx, ctx.accountId, input.domainId));
  const statuses = input.status?.length ? new Set(input.status) : undefined;
  const { items, nextToken } = await listPage<TemplateData>(
    ctx,
    'template',
    input.domainId,
    input,
    100,
    statuses && ((t) => statuses.has(t.status)),
  );
  return {
    templates: items.map((t) => ({
      templateId: t.templateId,
      templateArn: t.templateArn,
      name: t.name,
      status: t.status,
      tagPropagationConfigurations: t.tagPropagationConfigurations,
    })),
    nextToken,
  };
};
