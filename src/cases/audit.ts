/**
 * Audit history entries (GetCaseAuditEvents AuditEvent). Built here for case and related-item writes and
 * appended in the same transaction as the change they describe.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AuditEvent, AuditEventField, AuditEventType, FieldValueUnion, RelatedItemType, UserUnion } from '../../model/types.js';
import type { Context } from '../context.js';
import type { Tx } from '../store/types.js';

/** How an absent value (never set, or cleared) appears on either side of an audit field. */
const EMPTY: FieldValueUnion = { emptyValue: {} };

export interface AuditEventInput {
  type: AuditEventType;
  relatedItemType?: RelatedItemType;
  /** ISO-8601; the time of the change the event records. */
  performedTime: string;
  fields: AuditEventField[];
  /** The `performedBy` of the request, as given. */
  user?: UserUnion;
}

export function buildAuditEvent(ctx: Context, e: AuditEventInput): AuditEvent {
  return {
    eventId: ctx.newId(),
    type: e.type,
    ...(e.relatedItemType ? { relatedItemType: e.relatedItemType } : {}),
    performedTime: e.performedTime,
    fields: e.fields,
    performedBy: { ...(e.user ? { user: e.user } : {}), iamPrincipalArn: ctx.caller.principalArn },
  };
}

export async function appendAuditEvent(tx: Tx, domainId: string, caseId: string, event: AuditEvent): Promise<void> {
  await tx.appendAudit({ domainId, caseId, event: event as unknown as Record<string, unknown> });
}

/** One audit field per value a new record starts with (Case.Created, RelatedItem.Created). */
export function initialFields(values: Record<string, FieldValueUnion>): AuditEventField[] {
  return Object.entries(values).map(([eventFieldId, newValue]) => ({ eventFieldId, newValue }));
}

/**
 * One audit field per id of `ids` whose value differs between `before` and `after`; an absent value on
 * either side is recorded as `emptyValue`.
 */
export function changedFields(
  before: Record<string, FieldValueUnion>,
  after: Record<string, FieldValueUnion>,
  ids: Iterable<string>,
): AuditEventField[] {
  const out: AuditEventField[] = [];
  for (const eventFieldId of ids) {
    const oldValue = before[eventFieldId] ?? EMPTY;
    const newValue = after[eventFieldId] ?? EMPTY;
    if (!isDeepStrictEqual(oldValue, newValue)) out.push({ eventFieldId, oldValue, newValue });
  }
  return out;
}
