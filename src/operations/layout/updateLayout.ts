import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireLayout, requireFreeName } from '../../cases/metadata.js';
import { checkLayoutContent } from '../../cases/layouts.js';

export const updateLayout: Handler<'UpdateLayout'> = async (input, ctx) => {
  if (input.name === undefined && input.content === undefined) {
    throw new ValidationException('UpdateLayout needs at least one of name or content');
  }
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireLayout(tx, domain.domainId, input.layoutId);
    // DeleteLayout docs: updating a deleted layout is a ValidationException.
    if (record.deleted) throw new ValidationException(`Layout ${record.id} has been deleted and cannot be changed`);
    if (input.name !== undefined) await requireFreeName(tx, 'layout', domain.domainId, input.name, record.id);
    if (input.content) await checkLayoutContent(tx, domain.domainId, input.content);
    const layout = {
      ...record.data,
      name: input.name ?? record.data.name,
      content: input.content ?? record.data.content,
      lastModifiedTime: ctx.now().toISOString(),
    };
    await tx.putResource({ ...record, name: layout.name, data: layout });
  });
  return {};
};
