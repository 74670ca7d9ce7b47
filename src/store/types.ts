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
  /** The RelatedItemContent union as served (comment, contact, file, sla, connectCase, custom), except that an
   * SLA has no `status`: it depends on the time of reading (servedContent in src/cases/related-items.ts adds it). */
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
  /** At most this many; all of them when absent. */
  limit?: number;
}

/** One event of the case event stream, written in the transaction of the change that caused it. */
export interface OutboxEvent {
  eventId: string;
  domainId: string;
  /** Events of one case are delivered in seq order. */
  caseId: string;
  createdTime: string;
  /** The JSON envelope as delivered. */
  payload: string;
  /** Commit order; assigned by the store. */
  seq?: number;
}

/** An outbox event queued for one delivery sink. Times are epoch milliseconds. */
export interface EventDelivery {
  sinkId: string;
  eventSeq: number;
  eventId: string;
  domainId: string;
  caseId: string;
  createdTime: string;
  payload: string;
  status: 'pending' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/**
 * A SearchCases filter resolved against the domain's fields (src/cases/search-filter.ts). `column` is where the
 * store keeps values of the field's type: `s` for strings (DateTime as normalised ISO-8601 UTC, so text order is
 * time order), `n` for numbers and booleans (0/1).
 */
export type CaseCondition =
  | { kind: 'compare'; fieldId: string; op: '=' | '>' | '>=' | '<' | '<='; column: 's' | 'n'; value: string | number }
  | { kind: 'empty'; fieldId: string }
  /** `text` is lower-cased; matches string values containing it, case-insensitively. */
  | { kind: 'contains'; fieldId: string; text: string }
  | { kind: 'tag'; key: string; value?: string }
  | { kind: 'not'; condition: CaseCondition }
  | { kind: 'and' | 'or'; conditions: CaseCondition[] };

/** Where a case search resumes: opaque sort-key values of the last case returned. */
export type CaseSearchPosition = (string | number | null)[];

export interface CaseSearch {
  domainId: string;
  condition?: CaseCondition;
  /** Lower-cased words that must each occur in some string value of the case. */
  words: string[];
  /** At most two; none means most recently updated first. Ties are broken by case creation order. */
  sorts: { fieldId: string; column: 's' | 'n'; descending: boolean }[];
  after?: CaseSearchPosition;
  limit: number;
}

export interface CaseSearchResult {
  totalCount: number;
  /** Up to `limit` cases, each with the position to resume after it. */
  hits: { record: CaseRecord; position: CaseSearchPosition }[];
}

/** Where a related-item search resumes: the sort values and seq of the last item examined. */
export interface RelatedItemPosition {
  associationTime: string;
  caseId: string;
  seq: number;
}

export interface RelatedItemSearch {
  domainId: string;
  caseId?: string;
  /** OR-ed: an item qualifies when its type is equal and, where given, its searchKey too. Empty: every item. */
  matches: { type: string; searchKey?: string }[];
  /** Applied in order; seq ascending breaks ties, so every item has one place. */
  sorts: { property: 'associationTime' | 'caseId'; descending: boolean }[];
  after?: RelatedItemPosition;
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
  /** SearchCases: the matching cases of one page in the requested order, and how many match in all. */
  searchCases(query: CaseSearch): Promise<CaseSearchResult>;
  searchRelatedItems(query: RelatedItemSearch): Promise<RelatedItemRecord[]>;
  /** Cases of the domain with a Contact related item of this ARN, by case id ascending, after `afterCaseId`. */
  listCasesForContact(domainId: string, contactArn: string, afterCaseId: string, limit: number): Promise<{ caseId: string; templateId: string }[]>;

  insertOutboxEvent(event: OutboxEvent): Promise<void>;
  /**
   * Queues for `sinkId` every committed outbox event it has not seen yet (a new sink starts from the oldest kept
   * event) and returns the sink's cursor, a number that only grows: the highest outbox seq queued (SQLite), or
   * the transaction id below which everything is queued (PostgreSQL). pruneOutbox takes the lowest cursor.
   */
  fanOutEvents(sinkId: string): Promise<number>;
  /**
   * Leases up to `limit` due, unclaimed pending deliveries of the sink until `leaseUntil`: per case only the
   * oldest one still queued (pending, leased or dead), so a case's next event never overtakes the previous one.
   */
  claimDeliveries(sinkId: string, now: number, leaseUntil: number, limit: number): Promise<EventDelivery[]>;
  completeDelivery(sinkId: string, eventSeq: number): Promise<void>;
  /** Records a failed attempt: retried from `nextAttemptAt`, or parked as dead. */
  failDelivery(sinkId: string, eventSeq: number, failure: { attempts: number; nextAttemptAt: number; dead: boolean; error: string }): Promise<void>;
  /** Dead deliveries of every sink, oldest first. */
  listDeadDeliveries(): Promise<EventDelivery[]>;
  /** Dead deliveries back to pending with fresh attempts; all of them, or those of these event ids. Returns how many. */
  requeueDeadDeliveries(eventIds?: string[]): Promise<number>;
  /** Drops dead deliveries for good; all of them, or those of these event ids. Returns how many. */
  discardDeadDeliveries(eventIds?: string[]): Promise<number>;
  /** Deletes outbox events that every sink has queued up to `cursor` (see fanOutEvents) and none still has queued. */
  pruneOutbox(cursor: number): Promise<void>;
}

/** Where a bulk load is (Store.loadCases): loading batches, then building indexes and landing the text index. */
export interface LoadProgress {
  loaded: number;
  phase: 'cases' | 'indexes' | 'text';
}

export interface Store {
  /**
   * Runs fn in one write transaction: all of its writes commit together or none do. Write transactions behave as
   * if run one at a time, also across processes sharing one PostgreSQL database. fn must be re-runnable: the
   * PostgreSQL store runs it again from the start, on a fresh transaction, when it conflicted with a concurrent
   * one, so fn must not act outside tx (send, publish, mutate shared state) and must not keep results of a
   * previous run; what it computes from tx is computed anew each time.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs fn against one consistent snapshot; fn only reads (the PostgreSQL store refuses writes here). fn must be
   * re-runnable as write's is: the SQLite store runs it again, on a fresh snapshot, after a search in it had the
   * store write its waiting search rows.
   */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Bulk load of new cases (bench/seed.ts; imports still insert case by case): what insertCase does for each, in
   * far fewer and larger transactions, a batch at a time. Resolves with the number loaded once all are durable; a failing batch
   * (a duplicate case id or reference number) rejects, and the batches before it stay loaded.
   */
  loadCases(batches: AsyncIterable<CaseRecord[]> | Iterable<CaseRecord[]>, progress?: (p: LoadProgress) => void): Promise<number>;
  close(): Promise<void>;
}
