import type { Handler } from '../handler.js';
import type { RelatedItemRecord, Tx } from '../../store/types.js';
import type { Context } from '../../context.js';
import type { RelatedItemType } from '../../../model/types.js';
import { ServiceQuotaExceededException } from '../../protocol/errors.js';
import { relatedItemArn } from '../../cases/arn.js';
import { requireDomain } from '../../cases/records.js';
import { checkPerformedBy, requireCase } from '../../cases/case-writes.js';
import { appendAuditEvent, buildAuditEvent } from '../../cases/audit.js';
import { emitRelatedItemEvent } from '../../events/outbox.js';
import { checkNewContent, createdAuditFields } from '../../cases/related-items.js';
import { listSlas, refreshNextSlaBreach } from '../../cases/sla.js';

export const createRelatedItem: Handler<'CreateRelatedItem'> = async (input, ctx) => {
  checkPerformedBy(input.performedBy);
  return ctx.store.write(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const record = await requireCase(tx, domainId, input.caseId);
    const associationTime = ctx.now().toISOString();
    const { content, searchKey } = await checkNewContent({ tx, ctx, domainId, record, type: input.type, content: input.content, associationTime });
    await checkQuotas(tx, ctx, domainId, record.caseId, input.type);

    const relatedItemId = ctx.newId();
    const item: RelatedItemRecord = {
      domainId,
      caseId: record.caseId,
      relatedItemId,
      type: input.type,
      associationTime,
      content,
      performedBy: input.performedBy as Record<string, unknown> | undefined,
      searchKey,
    };
    await tx.insertRelatedItem(item);
    if (input.type === 'Sla') await refreshNextSlaBreach(tx, record, await listSlas(tx, domainId, record.caseId));
    const event = buildAuditEvent(ctx, {
      type: 'RelatedItem.Created',
      relatedItemType: input.type,
      performedTime: associationTime,
      fields: createdAuditFields(item),
      user: input.performedBy,
    });
    await appendAuditEvent(tx, domainId, record.caseId, event);
    await emitRelatedItemEvent(tx, ctx, { eventType: 'RELATED_ITEM.CREATED', item, performedBy: input.performedBy });
    return { relatedItemId, relatedItemArn: relatedItemArn(ctx.region, ctx.accountId, domainId, record.caseId, relatedItemId) };
  });
};

/** Related items per case, and within them SLAs and files, each have a quota of their own. */
async function checkQuotas(tx: Tx, ctx: Context, domainId: string, caseId: string, type: RelatedItemType): Promise<void> {
  const { relatedItemsPerCase, slasPerCase, filesPerCase } = ctx.quotas;
  if ((await tx.countRelatedItems(domainId, caseId)) >= relatedItemsPerCase) {
    throw new ServiceQuotaExceededException(`Case ${caseId} already has the maximum of ${relatedItemsPerCase} related items`);
  }
  const perType: Partial<Record<RelatedItemType, [number, string]>> = { Sla: [slasPerCase, 'SLAs'], File: [filesPerCase, 'files'] };
  const limit = perType[type];
  if (limit && (await tx.countRelatedItems(domainId, caseId, type)) >= limit[0]) {
    throw new ServiceQuotaExceededException(`Case ${caseId} already has the maximum of ${limit[0]} ${limit[1]}`);
  }
}
