import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireLiveField, requireFreeName } from '../../cases/metadata.js';

export const updateField: Handler<'UpdateField'> = async (input, ctx) => {
  if (input.name === undefined && input.description === undefined && input.attributes === undefined) {
    throw new ValidationException('UpdateField needs at least one of name, description or attributes');
  }
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireLiveField(tx, domain.domainId, input.fieldId);
    const field = record.data;
    if (field.namespace === 'System') {
      throw new ValidationException(`System field ${field.fieldId} cannot be changed`);
    }
    if (input.attributes?.text && field.type !== 'Text') {
      throw new ValidationException(`attributes.text applies to Text fields only; field ${field.fieldId} is of type ${field.type}`);
    }
    if (input.name !== undefined) await requireFreeName(tx, 'field', domain.domainId, input.name, field.fieldId);
    const updated = {
      ...field,
      name: input.name ?? field.name,
      description: input.description ?? field.description,
      attributes: input.attributes ?? field.attributes,
      lastModifiedTime: ctx.now().toISOString(),
    };
    await tx.putResource({ ...record, name: updated.name, data: updated });
  });
  return {};
};
