import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain, requireField } from '../../cases/records.js';

/** Soft delete: the field stays visible to BatchGetField (deleted: true) and cases keep their values. */
export const deleteField: Handler<'DeleteField'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireField(tx, domain.domainId, input.fieldId);
    if (record.data.namespace === 'System') {
      throw new ValidationException(`System field ${record.id} cannot be deleted`);
    }
    if (record.deleted) throw new ValidationException(`Field ${record.id} has already been deleted`);
    await tx.putResource({ ...record, deleted: true, data: { ...record.data, lastModifiedTime: ctx.now().toISOString() } });
  });
  return {};
};
