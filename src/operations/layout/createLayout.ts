import type { Handler } from '../handler.js';
import { ConflictException, ServiceQuotaExceededException } from '../../protocol/errors.js';
import { layoutArn } from '../../cases/arn.js';
import { requireDomain, type LayoutData } from '../../cases/records.js';
import { checkLayoutContent } from '../../cases/layouts.js';

export const createLayout: Handler<'CreateLayout'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    if (await tx.findResourceByName('layout', domain.domainId, input.name)) {
      throw new ConflictException(`A layout named '${input.name}' already exists in this domain`);
    }
    await checkLayoutContent(tx, domain.domainId, input.content);
    if ((await tx.countResources('layout', domain.domainId, false)) >= ctx.quotas.layoutsPerDomain) {
      throw new ServiceQuotaExceededException(`This domain already has the maximum of ${ctx.quotas.layoutsPerDomain} layouts`);
    }
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
