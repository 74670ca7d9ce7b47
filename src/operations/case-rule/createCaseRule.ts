import type { Handler } from '../handler.js';
import { caseRuleArn } from '../../cases/arn.js';
import { requireDomain } from '../../cases/records.js';
import { validateCaseRule, type CaseRuleData } from '../../cases/case-rules.js';
import { requireFreeName, requireBelowQuota } from '../../cases/metadata.js';

export const createCaseRule: Handler<'CreateCaseRule'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    await validateCaseRule(tx, domainId, input.rule);
    await requireFreeName(tx, 'caseRule', domainId, input.name);
    await requireBelowQuota(tx, 'caseRule', domainId, ctx.quotas.caseRulesPerDomain);
    const caseRuleId = ctx.newId();
    const now = ctx.now().toISOString();
    const data: CaseRuleData = {
      caseRuleId,
      caseRuleArn: caseRuleArn(ctx.region, ctx.accountId, domainId, caseRuleId),
      name: input.name,
      description: input.description,
      rule: input.rule,
      createdTime: now,
      lastModifiedTime: now,
    };
    await tx.putResource({ kind: 'caseRule', scope: domainId, id: caseRuleId, name: input.name, deleted: false, data });
    return { caseRuleId, caseRuleArn: data.caseRuleArn };
  });
};
