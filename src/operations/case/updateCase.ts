import type { Handler } from '../handler.js';
import { notFound } from '../../protocol/errors.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { appendAuditEvent, buildAuditEvent, changedFields } from '../../cases/audit.js';
import {
  applyValues,
  checkCase,
  checkPerformedBy,
  checkRequestedValues,
  differingIds,
  requireCase,
  stampServerValues,
} from '../../cases/case-writes.js';
import { emitCaseEvent } from '../../events/outbox.js';
import { trackSlas } from '../../cases/sla.js';

/** Fields stamped on every change; performedTime and performedBy of the event already say the same. */
const NOT_AUDITED = new Set(['last_updated_datetime', 'last_updated_user']);

export const updateCase: Handler<'UpdateCase'> = async (input, ctx) => {
  checkPerformedBy(input.performedBy);
  await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const domainId = domain.domainId;
    const record = await requireCase(tx, domainId, input.caseId);
    const requested = await checkRequestedValues(tx, domainId, input.fields, record.fields);
    const before = record.fields;
    const after = applyValues(before, requested);
    const changed = differingIds(before, after);
    const performedTime = ctx.now().toISOString();
    if (changed.length) stampServerValues(before, after, performedTime, input.performedBy);
    // A template deleted or deactivated since the case was made still governs the case's required fields.
    const template = await tx.getResource<TemplateData>('template', domainId, record.templateId);
    if (!template) throw notFound('Template', record.templateId);
    await checkCase({ tx, ctx, domainId, template: template.data, before, after, requested });
    if (!changed.length) return;

    const stamped = differingIds(before, after);
    const updated = { ...record, lastUpdatedTime: performedTime, fields: after };
    await tx.updateCase(updated, stamped);
    await trackSlas(tx, updated, stamped, performedTime);
    // Request order first, then what the server derived (close / reopen times).
    const audited = [...new Set([...requested.keys(), ...stamped])].filter((id) => !NOT_AUDITED.has(id));
    const fields = changedFields(before, after, audited);
    await appendAuditEvent(tx, domainId, record.caseId, buildAuditEvent(ctx, { type: 'Case.Updated', performedTime, fields, user: input.performedBy }));
    await emitCaseEvent(tx, ctx, {
      eventType: 'CASE.UPDATED',
      record: { ...record, lastUpdatedTime: performedTime, fields: after },
      changedFieldIds: stamped,
      performedBy: input.performedBy,
    });
  });
  return {};
};
