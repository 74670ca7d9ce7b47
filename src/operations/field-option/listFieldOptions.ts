import type { Handler } from '../handler.js';
import { optionScope, requireDomain, requireField, type FieldOptionData } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';

export const listFieldOptions: Handler<'ListFieldOptions'> = async (input, ctx) => {
  await ctx.store.read(async (tx) => {
    await requireDomain(tx, ctx.accountId, input.domainId);
    await requireField(tx, input.domainId, input.fieldId);
  });
  const values = input.values?.length ? new Set(input.values) : undefined;
  const { items, nextToken } = await listPage<FieldOptionData>(
    ctx,
    'fieldOption',
    optionScope(input.domainId, input.fieldId),
    input,
    100,
    values && ((o) => values.has(o.value)),
  );
  return { options: items.map((o) => ({ name: o.name, value: o.value, active: o.active })), nextToken };
};
