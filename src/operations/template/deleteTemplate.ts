import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireTemplate } from '../../cases/metadata.js';

/** Soft delete: GetTemplate still returns it (deleted: true); existing cases keep it, new cases cannot use it. */
export const deleteTemplate: Handler<'DeleteTemplate'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireTemplate(tx, domain.domainId, input.templateId);
    if (record.deleted) throw new ValidationException(`Template ${record.id} has already been deleted`);
    await tx.putResource({ ...record, deleted: true, data: { ...record.data, lastModifiedTime: ctx.now().toISOString() } });
  });
  return {};
};
