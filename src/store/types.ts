/**
 * The Store interface: everything the handlers persist goes through it, inside a transaction. Both the SQLite
 * (embedded default) and PostgreSQL backends implement it and run one conformance suite (store.conformance.ts).
 * Methods are async so that a networked database fits behind the same interface.
 */
import type { FieldValueUnion } from '../../model/types.js';

/** Metadata resources kept as typed JSON documents. `scope` is the account id for domains, the domain id
 * for fields, layouts, templates, case rules and the event configuration, and `domainId/fieldId` for options. */
export type ResourceKind = 'domain' | 'field' | 'fieldOption' | 'layout' | 'template' | 'caseRule' | 'eventConfig';

export interface ResourceRecord<T = unknown> {
  kind: ResourceKind;
  scope: string;
  id: string;
  /** Names are what uniqueness checks look up; null for kinds without one. */
  name: string | null;
  deleted: boolean;
  data: T;
  /** Insertion order; pagination keys on it. Assigned by the store. */
  seq?: number;
}

export interface ListPage {
  /** Return records with seq greater than this. */
  afterSeq?: number;
  limit: number;
  includeDeleted?: boolean;
}

export interface CaseRecord {
  domainId: string;
  caseId: string;
  templateId: string;
  referenceNumber: string;
  /** ISO-8601 instants. */
  createdTime: string;
  lastUpdatedTime: string;
  /** Every value the case holds, system fields included, keyed by field id. Cleared fields are absent. */
  fields: Record<string, FieldValueUnion>;
  tags: Record<string, string>;
}

export interface AuditRecord {
  domainId: string;
  caseId: string;
  /** The GetCaseAuditEvents AuditEvent as served. */
  event: Record<string, unknown>;
  seq?: number;
}

export interface IdempotencyRecord {
  domainId: string;
  token: string;
  requestHash: string;
  caseId: string;
  createdTime: string;
}

export interface RelatedItemRecord {
  domainId: string;
  caseId: string;
  relatedItemId: string;
  type: string;
  associationTime: string;
  /** The RelatedItemContent union as served (comment, contact, file, sla, connectCase, custom). */
  content: Record<string, unknown>;
  performedBy?: Record<string, unknown>;
  /** Contact ARN, file ARN, linked case id or SLA name: the value the type's search filter matches. */
  searchKey: string | null;
  seq?: number;
}

export interface RelatedItemQuery {
  domainId: string;
  caseId?: string;
  types?: string[];
  afterSeq?: number;
  limit: number;
}

export interface Tx {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  getResource<T>(kind: ResourceKind, scope: string, id: string): Promise<ResourceRecord<T> | undefined>;
  /** Non-deleted resource of that kind and scope with exactly this name. */
  findResourceByName<T>(kind: ResourceKind, scope: string, name: string): Promise<ResourceRecord<T> | undefined>;
  /** Insert, or replace name/deleted/data of the existing (kind, scope, id) keeping its seq. */
  putResource<T>(record: ResourceRecord<T>): Promise<void>;
  listResources<T>(kind: ResourceKind, scope: string, page: ListPage): Promise<ResourceRecord<T>[]>;
  countResources(kind: ResourceKind, scope: string, includeDeleted: boolean): Promise<number>;
  /** Removes a domain and everything in it: resources, options, cases, values, audit, related items, tags. */
  deleteDomainData(accountId: string, domainId: string, domainArn: string): Promise<void>;

  getTags(arn: string): Promise<Record<string, string> | undefined>;
  putTags(arn: string, tags: Record<string, string>): Promise<void>;

  insertCase(record: CaseRecord): Promise<void>;
  getCase(domainId: string, caseId: string): Promise<CaseRecord | undefined>;
  /** Rewrites the case row; `changedFieldIds` are the fields whose indexed values must be refreshed. */
  updateCase(record: CaseRecord, changedFieldIds: string[]): Promise<void>;
  /** Deletes the case with its values, related items, audit events and idempotency records. */
  deleteCase(domainId: string, caseId: string): Promise<void>;
  referenceNumberTaken(domainId: string, referenceNumber: string): Promise<boolean>;

  getIdempotency(domainId: string, token: string): Promise<IdempotencyRecord | undefined>;
  putIdempotency(record: IdempotencyRecord): Promise<void>;

  appendAudit(record: AuditRecord): Promise<void>;
  /** Newest first; `beforeSeq` continues a previous page. */
  listAudit(domainId: string, caseId: string, page: { beforeSeq?: number; limit: number }): Promise<AuditRecord[]>;

  insertRelatedItem(record: RelatedItemRecord): Promise<void>;
  getRelatedItem(domainId: string, caseId: string, relatedItemId: string): Promise<RelatedItemRecord | undefined>;
  updateRelatedItem(record: RelatedItemRecord): Promise<void>;
  deleteRelatedItem(domainId: string, caseId: string, relatedItemId: string): Promise<void>;
  /** Oldest first by seq. */
  listRelatedItems(query: RelatedItemQuery): Promise<RelatedItemRecord[]>;
  countRelatedItems(domainId: string, caseId: string, type?: string): Promise<number>;
}

export interface Store {
  /** Runs fn in one write transaction: all of its writes commit together or none do. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn against one consistent snapshot. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
