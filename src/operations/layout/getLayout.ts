import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { requireLayout } from '../../cases/metadata.js';
import { visibleLayoutContent } from '../../cases/layouts.js';

/** Deleted layouts are still returned (deleted: true); deleted fields are left out of the content. */
export const getLayout: Handler<'GetLayout'> = async (input, ctx) => {
  return ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireLayout(tx, domain.domainId, input.layoutId);
    const l = record.data;
    return {
      layoutId: l.layoutId,
      layoutArn: l.layoutArn,
      name: l.name,
      content: await visibleLayoutContent(tx, domain.domainId, l.content),
      tags: (await tx.getTags(l.layoutArn)) ?? {},
      deleted: record.deleted,
      createdTime: l.createdTime,
      lastModifiedTime: l.lastModifiedTime,
    };
  });
};
