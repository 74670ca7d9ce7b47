import type { Handler } from '../handler.js';
import type { FieldValue, UserUnion } from '../../../model/types.js';
import { ValidationException, notFound } from '../../protocol/errors.js';
import { relatedItemArn } from '../../cases/arn.js';
import { requireDomain } from '../../cases/records.js';
import { checkPerformedBy, requireCase } from '../../cases/case-writes.js';
import { appendAuditEvent, buildAuditEvent } from '../../cases/audit.js';
import { emitRelatedItemEvent } from '../../events/outbox.js';
import { checkCustomFields, servedContent, updatedAuditFields } from '../../cases/related-items.js';

/** Comments and Custom items can be updated; a Custom update replaces the whole set of fields. */
export const updateRelatedItem: Handler<'UpdateRelatedItem'> = async (input, ctx) => {
  checkPerformedBy(input.performedBy);
  return ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireCase(tx, domainId, input.caseId);
    const item = await tx.getRelatedItem(domainId, record.caseId, input.relatedItemId);
    if (!item) throw notFound('RelatedItem', input.relatedItemId);
    const given = input.content.comment ? 'comment' : 'custom';

    let content: Record<string, unknown>;
    if (item.type === 'Comment' && input.content.comment) {
      content = { comment: { body: input.content.comment.body, contentType: input.content.comment.contentType } };
    } else if (item.type === 'Custom' && input.content.custom) {
      const current = (item.content.custom as { fields: FieldValue[] }).fields;
      content = { custom: { fields: await checkCustomFields(tx, ctx, domainId, input.content.custom.fields, current) } };
    } else if (item.type === 'Comment' || item.type === 'Custom') {
      throw new ValidationException(`Related item ${item.relatedItemId} is a ${item.type}; it cannot be updated with content.${given}`);
    } else {
      throw new ValidationException(`Related item ${item.relatedItemId} is of type ${item.type}; only Comment and Custom related items can be updated`);
    }

    const fields = updatedAuditFields(item.type, item.content, content);
    const updated = { ...item, content };
    if (fields.length) {
      await tx.updateRelatedItem(updated);
      const event = buildAuditEvent(ctx, {
        type: 'RelatedItem.Updated',
        relatedItemType: item.type as 'Comment' | 'Custom',
        performedTime: ctx.now().toISOString(),
        fields,
        user: input.performedBy,
      });
      await appendAuditEvent(tx, domainId, record.caseId, event);
      await emitRelatedItemEvent(tx, ctx, { eventType: 'RELATED_ITEM.UPDATED', item: updated, performedBy: input.performedBy });
    }
    return {
      relatedItemId: item.relatedItemId,
      relatedItemArn: relatedItemArn(ctx.region, ctx.accountId, domainId, record.caseId, item.relatedItemId),
      type: item.type as 'Comment' | 'Custom',
      content: servedContent(updated, ctx.now()),
      associationTime: item.associationTime,
      ...(item.performedBy ? { createdBy: item.performedBy as UserUnion } : {}),
      ...(input.performedBy ? { lastUpdatedUser: input.performedBy } : {}),
    };
  });
};
