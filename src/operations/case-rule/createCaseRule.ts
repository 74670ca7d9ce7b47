import type { Handler } from '../handler.js';
import { ConflictException, ServiceQuotaExceededException } from '../../protocol/errors.js';
import { caseRuleArn } from '../../cases/arn.js';
import { requireDomain } from '../../cases/records.js';
import { validateCaseRule, type CaseRuleData } from '../../cases/case-rules.js';

export const createCaseRule: Handler<'CreateCaseRule'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    await validateCaseRule(tx, domainId, input.rule);
    if (await tx.findResourceByName('caseRule', domainId, input.name)) {
      throw new ConflictException(`A case rule named '${input.name}' already exists in this domain`);
    }
    if ((await tx.countResources('caseRule', domainId, false)) >= ctx.quotas.caseRulesPerDomain) {
      throw new ServiceQuotaExceededException(`This domain already has the maximum of ${ctx.quotas.caseRulesPerDomain} case rules`);
    }
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
