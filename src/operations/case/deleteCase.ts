import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';

/** Permanent: the case goes together with its related items, audit history and idempotency records. */
export const deleteCase: Handler<'DeleteCase'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireCase(tx, domain.domainId, input.caseId);
    await tx.deleteCase(domain.domainId, record.caseId);
  });
  return {};
};
