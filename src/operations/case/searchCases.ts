import { createHash } from 'node:crypto';
import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { FieldResolver, resolveFilter, resolveSorts, searchWords } from '../../cases/search-filter.js';
import type { CaseSearchPosition } from '../../store/types.js';

const DEFAULT_MAX_RESULTS = 25;

/**
 * SearchCases (docs/search.md). The nextToken carries the sort position of the last case returned and is bound
 * to the domain, filter, searchTerm and sorts, so a token replayed with another query is refused. Pages are
 * keyset pages: walking them returns each match once even while cases are created.
 */
export const searchCases: Handler<'SearchCases'> = async (input, ctx) => {
  const limit = input.maxResults ?? DEFAULT_MAX_RESULTS;
  const queryHash = createHash('sha256')
    .update(JSON.stringify([input.domainId, input.filter ?? null, input.searchTerm ?? '', input.sorts ?? []]))
    .digest('base64url')
    .slice(0, 22);
  const tokenKind = `searchCases:${queryHash}`;
  const after = input.nextToken ? ctx.tokens.decode<CaseSearchPosition>(tokenKind, input.nextToken) : undefined;

  return ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const fields = new FieldResolver(tx, domain.domainId);
    const condition = input.filter ? await resolveFilter(fields, input.filter) : undefined;
    const sorts = await resolveSorts(fields, input.sorts ?? []);
    // One extra case tells whether another page follows.
    const { totalCount, hits } = await tx.searchCases({
      domainId: domain.domainId,
      condition,
      words: searchWords(input.searchTerm),
      sorts,
      after,
      limit: limit + 1,
    });
    const page = hits.slice(0, limit);
    const wanted = [...new Set((input.fields ?? []).map((f) => f.id))];
    return {
      cases: page.map(({ record }) => ({
        caseId: record.caseId,
        templateId: record.templateId,
        // hasOwn: ids such as `constructor` must not reach the object's prototype.
        fields: wanted.filter((id) => Object.hasOwn(record.fields, id)).map((id) => ({ id, value: record.fields[id] })),
        tags: record.tags,
      })),
      nextToken: hits.length > limit ? ctx.tokens.encode(tokenKind, page[page.length - 1].position) : undefined,
      totalCount,
    };
  });
};
