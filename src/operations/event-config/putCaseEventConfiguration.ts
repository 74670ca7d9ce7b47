import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain, type FieldData } from '../../cases/records.js';
import { EVENT_CONFIG_ID, type EventConfigData } from '../../events/config.js';

export const putCaseEventConfiguration: Handler<'PutCaseEventConfiguration'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    await requireDomain(tx, ctx.accountId, input.domainId);
    const ids = (input.eventBridge.includedData?.caseData?.fields ?? []).map((f) => f.id);
    const duplicates = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    if (duplicates.length) {
      throw new ValidationException(`includedData.caseData.fields lists these field ids more than once: ${duplicates.join(', ')}`);
    }
    const unknown: string[] = [];
    for (const id of ids) {
      const f = await tx.getResource<FieldData>('field', input.domainId, id);
      if (!f || f.deleted) unknown.push(id);
    }
    if (unknown.length) {
      throw new ValidationException(`includedData.caseData.fields names fields that do not exist or are deleted: ${unknown.join(', ')}`);
    }
    const data: EventConfigData = { eventBridge: input.eventBridge };
    await tx.putResource({ kind: 'eventConfig', scope: input.domainId, id: EVENT_CONFIG_ID, name: null, deleted: false, data });
    return {};
  });
};
