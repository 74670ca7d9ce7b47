import type { Handler } from '../handler.js';
import type { FieldError, GetFieldResponse } from '../../../model/types.js';
import { requireDomain, type FieldData } from '../../cases/records.js';

/** Unknown ids are reported in `errors`; deleted fields are still returned, marked `deleted: true`. */
export const batchGetField: Handler<'BatchGetField'> = async (input, ctx) => {
  return ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const fields: GetFieldResponse[] = [];
    const errors: FieldError[] = [];
    // The list is documented as unique ids: a repeated id is answered once.
    for (const id of new Set(input.fields.map((f) => f.id))) {
      const r = await tx.getResource<FieldData>('field', domain.domainId, id);
      if (!r) {
        errors.push({ id, errorCode: 'ResourceNotFoundException', message: `Field ${id} not found` });
        continue;
      }
      const f = r.data;
      fields.push({
        fieldId: f.fieldId,
        fieldArn: f.fieldArn,
        name: f.name,
        description: f.description,
        type: f.type,
        namespace: f.namespace,
        attributes: f.attributes,
        tags: (await tx.getTags(f.fieldArn)) ?? {},
        deleted: r.deleted,
        createdTime: f.createdTime,
        lastModifiedTime: f.lastModifiedTime,
      });
    }
    return { fields, errors };
  });
};
