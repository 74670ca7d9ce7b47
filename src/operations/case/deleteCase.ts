import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';
import { emitCaseEvent } from '../../events/outbox.js';

/** Permanent: the case goes together with its related items, audit history and idempotency records. */
export const deleteCase: Handler<'DeleteCase'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireCase(tx, domain.domainId, input.caseId);
    // The event carries the case as it was when deleted: afterwards there is nothing left to describe.
    await emitCaseEvent(tx, ctx, { eventType: 'CASE.DELETED', record, changedFieldIds: [] });
    await tx.deleteCase(domain.domainId, record.caseId);
  });
  return {};
};
