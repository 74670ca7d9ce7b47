import type { Handler } from '../handler.js';
import type { RelatedItemType, UserUnion } from '../../../model/types.js';
import { requireDomain } from '../../cases/records.js';
import { searchPage, servedContent } from '../../cases/related-items.js';

const SORT_PROPERTY = { AssociationTime: 'associationTime', CaseId: 'caseId' } as const;

/** Related items of every case of the domain matching any of the filters; oldest association first unless sorted. */
export const searchAllRelatedItems: Handler<'SearchAllRelatedItems'> = async (input, ctx) => {
  const { domainId } = await ctx.store.read((tx) => requireDomain(tx, ctx.accountId, input.domainId));
  const sorts = (input.sorts ?? []).map((s) => ({ property: SORT_PROPERTY[s.sortProperty], descending: s.sortOrder === 'Desc' }));
  const { items, nextToken } = await searchPage(ctx, {
    domainId,
    filters: input.filters ?? [],
    sorts: sorts.length ? sorts : [{ property: 'associationTime', descending: false }],
    maxResults: input.maxResults ?? 25,
    nextToken: input.nextToken,
    // A position only means something in the order it was taken in.
    tokenKind: `allRelatedItems:${domainId}:${JSON.stringify(sorts)}`,
  });
  const now = ctx.now();
  return {
    relatedItems: items.map((item) => ({
      relatedItemId: item.relatedItemId,
      caseId: item.caseId,
      type: item.type as RelatedItemType,
      associationTime: item.associationTime,
      content: servedContent(item, now),
      ...(item.performedBy ? { performedBy: item.performedBy as UserUnion } : {}),
    })),
    nextToken,
  };
};
