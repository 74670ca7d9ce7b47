import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireLayout } from '../../cases/metadata.js';

/** Soft delete: GetLayout still returns it with deleted: true; templates that name it keep the reference. */
export const deleteLayout: Handler<'DeleteLayout'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireLayout(tx, domain.domainId, input.layoutId);
    if (record.deleted) throw new ValidationException(`Layout ${record.id} has already been deleted`);
    await tx.putResource({ ...record, deleted: true, data: { ...record.data, lastModifiedTime: ctx.now().toISOString() } });
  });
  return {};
};
