import type { Handler } from '../handler.js';
import type { CaseRuleError, GetCaseRuleResponse } from '../../../model/types.js';
import { requireDomain } from '../../cases/records.js';
import type { CaseRuleData } from '../../cases/case-rules.js';

/** Returns rules in request order, each id once; deleted rules come back with `deleted: true`, unknown ids as errors. */
export const batchGetCaseRule: Handler<'BatchGetCaseRule'> = async (input, ctx) => {
  return ctx.store.read(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const caseRules: GetCaseRuleResponse[] = [];
    const errors: CaseRuleError[] = [];
    for (const id of new Set(input.caseRules.map((r) => r.id))) {
      const r = await tx.getResource<CaseRuleData>('caseRule', domainId, id);
      if (!r) {
        errors.push({ id, errorCode: 'ResourceNotFoundException', message: `Case rule ${id} not found` });
        continue;
      }
      const d = r.data;
      caseRules.push({
        caseRuleId: d.caseRuleId,
        caseRuleArn: d.caseRuleArn,
        name: d.name,
        description: d.description,
        rule: d.rule,
        deleted: r.deleted,
        createdTime: d.createdTime,
        lastModifiedTime: d.lastModifiedTime,
        tags: (await tx.getTags(d.caseRuleArn)) ?? {},
      });
    }
    return { caseRules, errors, unprocessedCaseRules: [] };
  });
};
