/**
 * The transactional outbox: handlers call emitCaseEvent / emitRelatedItemEvent inside the write transaction of
 * the change, so the event row commits together with the change or not at all. The delivery worker
 * (worker.ts) reads the outbox afterwards; nothing here talks to the network.
 */
import type { UserUnion } from '../../model/types.js';
import type { Context } from '../context.js';
import type { Tx } from '../store/types.js';
import type { FieldData } from '../cases/records.js';
import { servedContent } from '../cases/related-items.js';
import { loadEventConfig } from './config.js';
import {
  buildCaseEvent,
  buildRelatedItemEvent,
  type CaseEventEnvelope,
  type CaseEventInput,
  type EventOrigin,
  type RelatedItemEventInput,
} from './build.js';

type EmitContext = Pick<Context, 'accountId' | 'region' | 'caller' | 'now' | 'newId'>;

const listeners = new Set<() => void>();

/** Wakes delivery workers of this process when an event was written (they also poll, for other processes). */
export function onOutboxWrite(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function origin(ctx: EmitContext, performedBy: UserUnion | undefined, changeTime = ctx.now()): EventOrigin {
  return {
    eventId: ctx.newId(),
    accountId: ctx.accountId,
    region: ctx.region,
    changeTime,
    performedBy: performedBy ? { user: performedBy, iamPrincipalArn: ctx.caller.principalArn } : { iamPrincipalArn: ctx.caller.principalArn },
  };
}

async function insert(tx: Tx, domainId: string, caseId: string, event: CaseEventEnvelope): Promise<void> {
  await tx.insertOutboxEvent({ eventId: event.id, domainId, caseId, createdTime: event.detail.approximateChangeTime as string, payload: JSON.stringify(event) });
  // Waking before COMMIT is safe: a worker's own transaction queues behind this one and sees its result.
  for (const l of listeners) l();
}

export interface EmitCaseEvent extends CaseEventInput {
  performedBy?: UserUnion;
}

/**
 * Writes a CASE.* event for `record` as it is after the change (for CASE.DELETED: as it was when deleted),
 * when the domain's configuration has eventBridge.enabled. UPDATED events always list last_updated_datetime.
 */
export async function emitCaseEvent(tx: Tx, ctx: EmitContext, e: EmitCaseEvent): Promise<void> {
  const { eventBridge } = await loadEventConfig(tx, e.record.domainId);
  if (!eventBridge.enabled) return;
  let fieldIds: string[] | undefined;
  const wanted = eventBridge.includedData?.caseData?.fields;
  if (wanted) {
    fieldIds = [];
    for (const { id } of wanted) {
      if (e.record.fields[id] === undefined) continue;
      // Fields deleted after the configuration was stored leave it, as GetCaseEventConfiguration shows.
      const f = await tx.getResource<FieldData>('field', e.record.domainId, id);
      if (f && !f.deleted) fieldIds.push(id);
    }
  }
  const changedFieldIds =
    e.eventType === 'CASE.UPDATED' && !e.changedFieldIds.includes('last_updated_datetime')
      ? [...e.changedFieldIds, 'last_updated_datetime']
      : e.changedFieldIds;
  // A created or updated case records its change time; the event says the same instant.
  const changeTime = e.eventType === 'CASE.DELETED' ? ctx.now() : new Date(e.record.lastUpdatedTime);
  const event = buildCaseEvent(origin(ctx, e.performedBy, changeTime), { ...e, changedFieldIds }, fieldIds);
  await insert(tx, e.record.domainId, e.record.caseId, event);
}

export interface EmitRelatedItemEvent extends RelatedItemEventInput {
  /** Who made this change (the request's performedBy); DeleteRelatedItem has none. */
  performedBy?: UserUnion;
}

/** Writes a RELATED_ITEM.* event for `item` as it is after the change, when the domain's configuration has eventBridge.enabled. */
export async function emitRelatedItemEvent(tx: Tx, ctx: EmitContext, e: EmitRelatedItemEvent): Promise<void> {
  const { eventBridge } = await loadEventConfig(tx, e.item.domainId);
  if (!eventBridge.enabled) return;
  const includeContent = eventBridge.includedData?.relatedItemData?.includeContent === true;
  const o = origin(ctx, e.performedBy);
  // Content as SearchRelatedItems serves it (an SLA's status as of the change), not as stored.
  const event = buildRelatedItemEvent(o, { ...e, item: { ...e.item, content: servedContent(e.item, o.changeTime) as Record<string, unknown> } }, includeContent);
  await insert(tx, e.item.domainId, e.item.caseId, event);
}
