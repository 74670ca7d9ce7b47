import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';

/** Removes the domain and all its data in one transaction. */
export const deleteDomain: Handler<'DeleteDomain'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const d = await requireDomain(tx, ctx.accountId, input.domainId);
    await tx.deleteDomainData(ctx.accountId, d.domainId, d.domainArn);
  });
  return {};
};
