import type { Handler } from '../handler.js';
import { ConflictException, ServiceQuotaExceededException, ValidationException } from '../../protocol/errors.js';
import { fieldArn } from '../../cases/arn.js';
import { requireDomain, type FieldData } from '../../cases/records.js';

export const createField: Handler<'CreateField'> = async (input, ctx) => {
  if (input.attributes?.text && input.type !== 'Text') {
    throw new ValidationException(`attributes.text applies to Text fields only, not to type ${input.type}`);
  }
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    if (await tx.findResourceByName('field', domain.domainId, input.name)) {
      throw new ConflictException(`A field named '${input.name}' already exists in this domain`);
    }
    if ((await tx.countResources('field', domain.domainId, false)) >= ctx.quotas.fieldsPerDomain) {
      throw new ServiceQuotaExceededException(`This domain already has the maximum of ${ctx.quotas.fieldsPerDomain} fields`);
    }
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
