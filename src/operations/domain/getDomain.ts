import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';

export const getDomain: Handler<'GetDomain'> = async (input, ctx) => {
  const [domain, tags] = await ctx.store.read(async (tx) => {
    const d = await requireDomain(tx, ctx.accountId, input.domainId);
    return [d, await tx.getTags(d.domainArn)] as const;
  });
  return {
    domainId: domain.domainId,
    domainArn: domain.domainArn,
    name: domain.name,
    createdTime: domain.createdTime,
    domainStatus: 'Active',
    tags: tags ?? {},
  };
};
