import type { Handler } from '../handler.js';
import { requireDomain } from '../../cases/records.js';
import { deletedCaseRuleIds, deletedFieldIds, requireTemplate } from '../../cases/metadata.js';

/**
 * Deleted templates are still returned (deleted: true); references to deleted fields and links to deleted case
 * rules are left out, so that the answer can be sent back to UpdateTemplate, which refuses both.
 */
export const getTemplate: Handler<'GetTemplate'> = async (input, ctx) => {
  return ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireTemplate(tx, domain.domainId, input.templateId);
    const t = record.data;
    const gone = await deletedFieldIds(tx, domain.domainId, [
      ...t.requiredFields.map((f) => f.fieldId),
      ...(t.rules ?? []).flatMap((r) => (r.fieldId === undefined ? [] : [r.fieldId])),
    ]);
    const goneRules = await deletedCaseRuleIds(tx, domain.domainId, (t.rules ?? []).map((r) => r.caseRuleId));
    return {
      templateId: t.templateId,
      templateArn: t.templateArn,
      name: t.name,
      description: t.description,
      layoutConfiguration: t.layoutConfiguration,
      requiredFields: t.requiredFields.filter((f) => !gone.has(f.fieldId)),
      status: t.status,
      rules: t.rules?.filter((r) => (r.fieldId === undefined || !gone.has(r.fieldId)) && !goneRules.has(r.caseRuleId)),
      tagPropagationConfigurations: t.tagPropagationConfigurations,
      tags: (await tx.getTags(t.templateArn)) ?? {},
      deleted: record.deleted,
      createdTime: t.createdTime,
      lastModifiedTime: t.lastModifiedTime,
    };
  });
};
