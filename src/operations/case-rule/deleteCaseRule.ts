import type { Handler } from '../handler.js';
import { notFound } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import type { CaseRuleData } from '../../cases/case-rules.js';

/**
 * Soft delete: BatchGetCaseRule still returns the rule with `deleted: true`, ListCaseRules omits it, its name is
 * free again, and templates that link it stop applying it. Deleting a deleted rule succeeds and changes nothing.
 */
export const deleteCaseRule: Handler<'DeleteCaseRule'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const existing = await tx.getResource<CaseRuleData>('caseRule', domainId, input.caseRuleId);
    if (!existing) throw notFound('CaseRule', input.caseRuleId);
    if (existing.deleted) return;
    const data: CaseRuleData = { ...existing.data, lastModifiedTime: ctx.now().toISOString() };
    await tx.putResource({ ...existing, deleted: true, data });
  });
  return {};
};
