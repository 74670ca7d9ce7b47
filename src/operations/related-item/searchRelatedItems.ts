import type { Handler } from '../handler.js';
import type { RelatedItemType, UserUnion } from '../../../model/types.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';
import { searchPage, servedContent } from '../../cases/related-items.js';

/** The related items of one case, oldest association first; no filter returns all of them. */
export const searchRelatedItems: Handler<'SearchRelatedItems'> = async (input, ctx) => {
  const { domainId, caseId } = await ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    return requireCase(tx, domain.domainId, input.caseId);
  });
  const { items, nextToken } = await searchPage(ctx, {
    domainId,
    caseId,
    filters: input.filters ?? [],
    sorts: [],
    maxResults: input.maxResults ?? 25,
    nextToken: input.nextToken,
    tokenKind: `relatedItems:${domainId}/${caseId}`,
  });
  const now = ctx.now();
  return {
    relatedItems: items.map((item) => ({
      relatedItemId: item.relatedItemId,
      type: item.type as RelatedItemType,
      associationTime: item.associationTime,
      content: servedContent(item, now),
      ...(item.performedBy ? { performedBy: item.performedBy as UserUnion } : {}),
    })),
    nextToken,
  };
};
