import type { Handler } from '../handler.js';
import type { RelatedItemType } from '../../../model/types.js';
import { ValidationException, notFound } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';
import { appendAuditEvent, buildAuditEvent } from '../../cases/audit.js';
import { emitRelatedItemEvent } from '../../events/outbox.js';
import { deletedAuditFields } from '../../cases/related-items.js';
import { listSlas, refreshNextSlaBreach } from '../../cases/sla.js';

export const deleteRelatedItem: Handler<'DeleteRelatedItem'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireCase(tx, domainId, input.caseId);
    const item = await tx.getRelatedItem(domainId, record.caseId, input.relatedItemId);
    if (!item) throw notFound('RelatedItem', input.relatedItemId);
    // The service deletes files through Amazon Connect's DeleteAttachedFile, which removes the item with them.
    if (item.type === 'File') {
      throw new ValidationException(`Related item ${item.relatedItemId} is a File; files are deleted with Amazon Connect's DeleteAttachedFile, not DeleteRelatedItem`);
    }
    await tx.deleteRelatedItem(domainId, record.caseId, item.relatedItemId);
    if (item.type === 'Sla') await refreshNextSlaBreach(tx, record, await listSlas(tx, domainId, record.caseId));
    const event = buildAuditEvent(ctx, {
      type: 'RelatedItem.Deleted',
      relatedItemType: item.type as RelatedItemType,
      performedTime: ctx.now().toISOString(),
      fields: deletedAuditFields(item),
    });
    await appendAuditEvent(tx, domainId, record.caseId, event);
    // The item as it was when deleted.
    await emitRelatedItemEvent(tx, ctx, { eventType: 'RELATED_ITEM.DELETED', item });
  });
  return {};
};
