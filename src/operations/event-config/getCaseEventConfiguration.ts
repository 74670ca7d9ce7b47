import type { Handler } from '../handler.js';
import { requireDomain, type FieldData } from '../../cases/records.js';
import { loadEventConfig } from '../../events/config.js';

export const getCaseEventConfiguration: Handler<'GetCaseEventConfiguration'> = async (input, ctx) => {
  return ctx.store.read(async (tx) => {
    await requireDomain(tx, ctx.accountId, input.domainId);
    const { eventBridge } = await loadEventConfig(tx, input.domainId);
    const caseData = eventBridge.includedData?.caseData;
    if (!caseData) return { eventBridge };
    // Fields deleted since the configuration was stored drop out of it (FACTS.md, DeleteField).
    const live = [];
    for (const f of caseData.fields) {
      const field = await tx.getResource<FieldData>('field', input.domainId, f.id);
      if (field && !field.deleted) live.push(f);
    }
    return { eventBridge: { ...eventBridge, includedData: { ...eventBridge.includedData, caseData: { fields: live } } } };
  });
};
