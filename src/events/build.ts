/**
 * Builders of the case event stream's events, in the EventBridge envelope of the Administrator Guide's
 * "Case event payload and schema" (FACTS.md, "Case event stream"). Pure functions: the outbox calls them
 * inside the transaction of the change, with the data as it is after the change.
 */
import type { FieldValueUnion, UserUnion } from '../../model/types.js';
import type { CaseRecord, RelatedItemRecord } from '../store/types.js';
import { caseArn, domainArn, relatedItemArn } from '../cases/arn.js';

export type CaseEventType = 'CASE.CREATED' | 'CASE.UPDATED' | 'CASE.DELETED';
export type RelatedItemEventType = 'RELATED_ITEM.CREATED' | 'RELATED_ITEM.UPDATED' | 'RELATED_ITEM.DELETED';

export const EVENT_SOURCE = 'aws.cases';
export const EVENT_DETAIL_TYPE = 'Amazon Connect Cases Change';

export interface EventPerformedBy {
  user?: UserUnion;
  iamPrincipalArn: string;
}

export interface CaseEventEnvelope {
  version: '0';
  id: string;
  'detail-type': typeof EVENT_DETAIL_TYPE;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: [string, string];
  detail: Record<string, unknown>;
}

/** Who made a change, as audit events record it. */
export interface EventOrigin {
  eventId: string;
  accountId: string;
  region: string;
  /** The instant of the change. */
  changeTime: Date;
  performedBy: EventPerformedBy;
}

function envelope(o: EventOrigin, domainId: string, resourceArn: string, detail: Record<string, unknown>): CaseEventEnvelope {
  return {
    version: '0',
    id: o.eventId,
    'detail-type': EVENT_DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: o.accountId,
    // EventBridge envelopes carry whole seconds; the detail keeps the precise change time.
    time: o.changeTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: o.region,
    resources: [domainArn(o.region, o.accountId, domainId), resourceArn],
    detail,
  };
}

export interface CaseEventInput {
  eventType: CaseEventType;
  record: CaseRecord;
  changedFieldIds: string[];
}

/**
 * `fieldIds`: the configured `includedData.caseData.fields` that are still live; undefined when the
 * configuration asks for no case data, and then the event carries only ids and times.
 */
export function buildCaseEvent(o: EventOrigin, e: CaseEventInput, fieldIds: string[] | undefined): CaseEventEnvelope {
  const c = e.record;
  const caseData: Record<string, unknown> = { caseId: c.caseId, templateId: c.templateId, createdDateTime: c.createdTime };
  if (fieldIds) {
    const fields: Record<string, { value: FieldValueUnion }> = {};
    for (const id of fieldIds) {
      const v = c.fields[id];
      // Only non-null values: a cleared field is absent from the record, an emptyValue is no value either.
      if (v && v.emptyValue === undefined) fields[id] = { value: v };
    }
    caseData.fields = fields;
  }
  return envelope(o, c.domainId, caseArn(o.region, o.accountId, c.domainId, c.caseId), {
    version: '0',
    eventType: e.eventType,
    approximateChangeTime: o.changeTime.toISOString(),
    changedFieldIds: e.changedFieldIds,
    performedBy: o.performedBy,
    case: caseData,
  });
}

export interface RelatedItemEventInput {
  eventType: RelatedItemEventType;
  item: RelatedItemRecord;
}

export function buildRelatedItemEvent(o: EventOrigin, e: RelatedItemEventInput, includeContent: boolean): CaseEventEnvelope {
  const r = e.item;
  const relatedItem: Record<string, unknown> = {
    relatedItemType: r.type,
    relatedItemId: r.relatedItemId,
    caseId: r.caseId,
    createdDateTime: r.associationTime,
  };
  // The stored content is the RelatedItemContent union ({comment: {...}} and so on): its one member goes in as is.
  if (includeContent) Object.assign(relatedItem, r.content);
  return envelope(o, r.domainId, relatedItemArn(o.region, o.accountId, r.domainId, r.caseId, r.relatedItemId), {
    version: '0',
    eventType: e.eventType,
    approximateChangeTime: o.changeTime.toISOString(),
    performedBy: o.performedBy,
    relatedItem,
  });
}

