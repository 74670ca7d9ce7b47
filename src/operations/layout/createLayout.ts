import type { Handler } from '../handler.js';
import { layoutArn } from '../../cases/arn.js';
import { requireDomain, type LayoutData } from '../../cases/records.js';
import { checkLayoutContent } from '../../cases/layouts.js';
import { requireFreeName, requireBelowQuota } from '../../cases/metadata.js';

export const createLayout: Handler<'CreateLayout'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    await requireFreeName(tx, 'layout', domain.domainId, input.name);
    await checkLayoutContent(tx, domain.domainId, input.content);
    await requireBelowQuota(tx, 'layout', domain.domainId, ctx.quotas.layoutsPerDomain);
    const layoutId = ctx.newId();
    const now = ctx.now().toISOString();
    const layout: LayoutData = {
      layoutId,
      layoutArn: layoutArn(ctx.region, ctx.accountId, domain.domainId, layoutId),
      name: input.name,
      content: input.content,
      createdTime: now,
      lastModifiedTime: now,
    };
    await tx.putResource({ kind: 'layout', scope: domain.domainId, id: layoutId, name: input.name, deleted: false, data: layout });
    return { layoutId, layoutArn: layout.layoutArn };
  });
};
