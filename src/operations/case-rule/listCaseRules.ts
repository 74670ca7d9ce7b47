import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { listPage } from '../../cases/list-page.js';
import { ruleTypeOf, type CaseRuleData } from '../../cases/case-rules.js';

/** Live rules in creation order; deleted rules are omitted. */
export const listCaseRules: Handler<'ListCaseRules'> = async (input, ctx) => {
  const { domainId } = await ctx.store.read((tx) => requireDomain(tx, ctx.accountId, input.domainId));
  const { items, nextToken } = await listPage<CaseRuleData>(ctx, 'caseRule', domainId, input, 100);
  return {
    caseRules: items.map((r) => ({
      caseRuleId: r.caseRuleId,
      caseRuleArn: r.caseRuleArn,
      name: r.name,
      description: r.description,
      ruleType: ruleTypeOf(r.rule),
    })),
    nextToken,
  };
};
