import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { fieldArn } from '../../cases/arn.js';
import { requireDomain, type FieldData } from '../../cases/records.js';
import { requireFreeName, requireBelowQuota } from '../../cases/metadata.js';

export const createField: Handler<'CreateField'> = async (input, ctx) => {
  if (input.attributes?.text && input.type !== 'Text') {
    throw new ValidationException(`attributes.text applies to Text fields only, not to type ${input.type}`);
  }
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    await requireFreeName(tx, 'field', domain.domainId, input.name);
    await requireBelowQuota(tx, 'field', domain.domainId, ctx.quotas.fieldsPerDomain);
    const fieldId = ctx.newId();
    const now = ctx.now().toISOString();
    const field: FieldData = {
      fieldId,
      fieldArn: fieldArn(ctx.region, ctx.accountId, domain.domainId, fieldId),
      name: input.name,
      description: input.description,
      type: input.type,
      namespace: 'Custom',
      attributes: input.attributes,
      createdTime: now,
      lastModifiedTime: now,
    };
    await tx.putResource({ kind: 'field', scope: domain.domainId, id: fieldId, name: input.name, deleted: false, data: field });
    return { fieldId, fieldArn: field.fieldArn };
  });
};
