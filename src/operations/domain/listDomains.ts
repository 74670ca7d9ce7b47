import type { Handler } from '../handler.js';
import type { DomainData } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';

export const listDomains: Handler<'ListDomains'> = async (input, ctx) => {
  const { items, nextToken } = await listPage<DomainData>(ctx, 'domain', ctx.accountId, input, 10);
  return {
    domains: items.map((d) => ({ domainId: d.domainId, domainArn: d.domainArn, name: d.name })),
    nextToken,
  };
};
