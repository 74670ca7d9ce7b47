import type { Handler } from '../handler.js';
import { ValidationException, notFound } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { validateCaseRule, type CaseRuleData } from '../../cases/case-rules.js';
import { requireFreeName } from '../../cases/metadata.js';

/** Members left out keep their value. A deleted rule cannot be changed any more. */
export const updateCaseRule: Handler<'UpdateCaseRule'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const existing = await tx.getResource<CaseRuleData>('caseRule', domainId, input.caseRuleId);
    if (!existing) throw notFound('CaseRule', input.caseRuleId);
    if (existing.deleted) throw new ValidationException(`Case rule ${input.caseRuleId} has been deleted and cannot be changed`);
    if (input.rule) await validateCaseRule(tx, domainId, input.rule);
    if (input.name !== undefined) await requireFreeName(tx, 'caseRule', domainId, input.name, input.caseRuleId);
    const data: CaseRuleData = {
      ...existing.data,
      name: input.name ?? existing.data.name,
      description: input.description ?? existing.data.description,
      rule: input.rule ?? existing.data.rule,
      lastModifiedTime: ctx.now().toISOString(),
    };
    await tx.putResource({ ...existing, name: data.name, data });
  });
  return {};
};
