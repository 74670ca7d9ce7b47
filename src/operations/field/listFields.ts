import type { Handler } from '../handler.js';
import { requireDomain, type FieldData } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';

export const listFields: Handler<'ListFields'> = async (input, ctx) => {
  await ctx.store.read((tx) => requireDomain(tx, ctx.accountId, input.domainId));
  const { items, nextToken } = await listPage<FieldData>(ctx, 'field', input.domainId, input, 100);
  return {
    fields: items.map((f) => ({
      fieldId: f.fieldId,
      fieldArn: f.fieldArn,
      name: f.name,
      type: f.type,
      namespace: f.namespace,
      attributes: f.attributes,
    })),
    nextToken,
  };
};
