import type { Handler } from '../handler.js';
import { requireDomain, type LayoutData } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';

export const listLayouts: Handler<'ListLayouts'> = async (input, ctx) => {
  await ctx.store.read((tx) => requireDomain(tx, ctx.accountId, input.domainId));
  const { items, nextToken } = await listPage<LayoutData>(ctx, 'layout', input.domainId, input, 100);
  return { layouts: items.map((l) => ({ layoutId: l.layoutId, layoutArn: l.layoutArn, name: l.name })), nextToken };
};
