import type { AuditEvent } from '../../../model/types.js';
import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';

const DEFAULT_PAGE = 25;

/** Newest first. The token carries the position of the last event served, so events added meanwhile never shift a page. */
export const getCaseAuditEvents: Handler<'GetCaseAuditEvents'> = async (input, ctx) => {
  const tokenKind = `audit:${input.domainId}/${input.caseId}`;
  const beforeSeq = input.nextToken ? ctx.tokens.decode<number>(tokenKind, input.nextToken) : undefined;
  const limit = input.maxResults ?? DEFAULT_PAGE;
  const rows = await ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    await requireCase(tx, domain.domainId, input.caseId);
    return tx.listAudit(domain.domainId, input.caseId, { beforeSeq, limit: limit + 1 });
  });
  const page = rows.slice(0, limit);
  return {
    auditEvents: page.map((r) => r.event as unknown as AuditEvent),
    nextToken: rows.length > limit ? ctx.tokens.encode(tokenKind, page[page.length - 1].seq) : undefined,
  };
};
