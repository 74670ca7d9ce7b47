import type { Context } from '../context.js';
import type { ResourceKind } from '../store/types.js';

/**
 * One page of a metadata listing (domains, fields, layouts, templates, case rules, options), keyed on the
 * store's insertion sequence so that walking all pages returns each item exactly once even while items are
 * added. The token is bound to the listing's kind and scope.
 */
export async function listPage<T>(
  ctx: Context,
  kind: ResourceKind,
  scope: string,
  input: { maxResults?: number; nextToken?: string },
  defaultMax: number,
  filter?: (item: T) => boolean,
): Promise<{ items: T[]; nextToken?: string }> {
  const tokenKind = `${kind}:${scope}`;
  let afterSeq = input.nextToken ? ctx.tokens.decode<number>(tokenKind, input.nextToken) : 0;
  const limit = input.maxResults ?? defaultMax;
  const items: T[] = [];
  return ctx.store.read(async (tx) => {
    // With a filter, keep reading batches until the page is full or the listing ends.
    for (;;) {
      const batch = await tx.listResources<T>(kind, scope, { afterSeq, limit: limit + 1 });
      for (const r of batch) {
        if (filter && !filter(r.data)) {
          afterSeq = r.seq!;
          continue;
        }
        if (items.length === limit) return { items, nextToken: ctx.tokens.encode(tokenKind, afterSeq) };
        items.push(r.data);
        afterSeq = r.seq!;
      }
      if (batch.length < limit + 1) return { items };
    }
  });
}
