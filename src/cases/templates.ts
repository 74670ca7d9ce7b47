/** Checks of the references a template makes (fields, layout, case rules), shared by Create- and UpdateTemplate. */
import type { LayoutConfiguration, RequiredField, TemplateRule } from '../../model/types.js';
import type { Tx } from '../store/types.js';
import type { LayoutData } from './records.js';
import { ValidationException } from '../protocol/errors.js';
import { duplicates, requireLiveFieldIds } from './metadata.js';

export interface TemplateReferences {
  layoutConfiguration?: LayoutConfiguration;
  requiredFields?: RequiredField[];
  rules?: TemplateRule[];
}

export async function checkTemplateReferences(tx: Tx, domainId: string, refs: TemplateReferences): Promise<void> {
  if (refs.requiredFields) {
    const ids = refs.requiredFields.map((f) => f.fieldId);
    const dup = duplicates(ids);
    if (dup.length) throw new ValidationException(`requiredFields lists field ids more than once: ${dup.join(', ')}`);
    await requireLiveFieldIds(tx, domainId, ids, 'requiredFields');
  }
  const layoutId = refs.layoutConfiguration?.defaultLayout;
  if (layoutId !== undefined) {
    const layout = await tx.getResource<LayoutData>('layout', domainId, layoutId);
    if (!layout) throw new ValidationException(`layoutConfiguration.defaultLayout references unknown layout id ${layoutId}`);
    if (layout.deleted) throw new ValidationException(`layoutConfiguration.defaultLayout references deleted layout id ${layoutId}`);
  }
  if (refs.rules) {
    const dup = duplicates(refs.rules.map((r) => `${r.caseRuleId}/${r.fieldId ?? ''}`));
    if (dup.length) throw new ValidationException(`rules lists the same caseRuleId/fieldId pair more than once: ${dup.join(', ')}`);
    const unknownRules: string[] = [];
    const deletedRules: string[] = [];
    for (const id of new Set(refs.rules.map((r) => r.caseRuleId))) {
      const rule = await tx.getResource('caseRule', domainId, id);
      if (!rule) unknownRules.push(id);
      else if (rule.deleted) deletedRules.push(id);
    }
    const problems: string[] = [];
    if (unknownRules.length) problems.push(`unknown case rule ids: ${unknownRules.join(', ')}`);
    if (deletedRules.length) problems.push(`deleted case rule ids: ${deletedRules.join(', ')}`);
    if (problems.length) throw new ValidationException(`rules references ${problems.join('; ')}`);
    await requireLiveFieldIds(tx, domainId, refs.rules.flatMap((r) => (r.fieldId === undefined ? [] : [r.fieldId])), 'rules');
  }
}
