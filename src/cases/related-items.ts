/**
 * Related items: the checks of each type's content (FACTS.md "Related items"), the content as stored and as
 * served, the values their audit events record, and the per-type search filters.
 */
import { isDeepStrictEqual } from 'node:util';
import type {
  AuditEventField,
  CaseFilter,
  FieldValue,
  FieldValueUnion,
  RelatedItemContent,
  RelatedItemInputContent,
  RelatedItemType,
  RelatedItemTypeFilter,
  SlaInputConfiguration,
} from '../../model/types.js';
import type { Context } from '../context.js';
import type { CaseCondition, CaseRecord, RelatedItemPosition, RelatedItemRecord, RelatedItemSearch, Tx } from '../store/types.js';
import { ServiceQuotaExceededException, ValidationException } from '../protocol/errors.js';
import type { FieldData } from './records.js';
import { checkFieldValue } from './field-values.js';
import { FieldResolver, resolveFilter } from './search-filter.js';
import { memberOf } from './field-types.js';
import { isContactArn } from './contacts.js';
import { meetsTarget, servedSla, slaStatus, type StoredSla } from './sla.js';
import { changedFields, initialFields } from './audit.js';

/** The content member that carries each type. */
export const CONTENT_MEMBER: Record<RelatedItemType, keyof RelatedItemInputContent & keyof RelatedItemContent> = {
  Contact: 'contact',
  Comment: 'comment',
  File: 'file',
  Sla: 'sla',
  ConnectCase: 'connectCase',
  Custom: 'custom',
};

/** A Connect attached-file ARN: arn:aws:connect:{region}:{account}:instance/{instanceId}/file/{fileId}. */
const FILE_ARN = /^arn:aws(?:-[a-z]+)*:connect:[a-z0-9-]+:\d{12}:instance\/[A-Za-z0-9-]+\/file\/[A-Za-z0-9-]+$/;

/** Content ready to store, and the value the type's search filter matches (store column search_key). */
export interface CheckedContent {
  content: Record<string, unknown>;
  searchKey: string | null;
}

export interface NewItemContext {
  tx: Tx;
  ctx: Context;
  domainId: string;
  /** The case the item is created on. */
  record: CaseRecord;
  type: RelatedItemType;
  content: RelatedItemInputContent;
  associationTime: string;
}

/** Checks the content of a CreateRelatedItem request against its type and returns what to store. */
export async function checkNewContent(n: NewItemContext): Promise<CheckedContent> {
  const member = CONTENT_MEMBER[n.type];
  const given = (Object.keys(n.content) as (keyof RelatedItemInputContent)[]).find((k) => n.content[k] !== undefined);
  if (given !== member) {
    throw new ValidationException(`A related item of type ${n.type} takes content.${member}, not content.${given ?? '(none)'}`);
  }
  const c = n.content;
  switch (n.type) {
    case 'Comment':
      return { content: { comment: { body: c.comment!.body, contentType: c.comment!.contentType } }, searchKey: null };
    case 'Contact': {
      const contactArn = c.contact!.contactArn;
      if (!isContactArn(contactArn)) {
        throw new ValidationException(
          `content.contact.contactArn '${contactArn}' is not an Amazon Connect contact ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/contact/{contactId})`,
        );
      }
      const details = n.ctx.contacts.details(contactArn, n.associationTime);
      return { content: { contact: { contactArn, ...details } }, searchKey: contactArn };
    }
    case 'File': {
      const fileArn = c.file!.fileArn;
      if (!FILE_ARN.test(fileArn)) {
        throw new ValidationException(
          `content.file.fileArn '${fileArn}' is not an Amazon Connect attached-file ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/file/{fileId})`,
        );
      }
      return { content: { file: { fileArn } }, searchKey: fileArn };
    }
    case 'ConnectCase': {
      const caseId = c.connectCase!.caseId;
      if (caseId === n.record.caseId) throw new ValidationException(`content.connectCase.caseId '${caseId}' is the case itself; a case cannot be linked to itself`);
      if (!(await n.tx.getCase(n.domainId, caseId))) {
        throw new ValidationException(`content.connectCase.caseId '${caseId}' names no case of this domain`);
      }
      return { content: { connectCase: { caseId } }, searchKey: caseId };
    }
    case 'Sla': {
      const config = c.sla!.slaInputConfiguration;
      if (!config) throw new ValidationException('content.sla must hold slaInputConfiguration');
      const sla = await checkSla(n, config);
      return { content: { sla: { slaConfiguration: sla } }, searchKey: sla.name };
    }
    case 'Custom':
      return { content: { custom: { fields: await checkCustomFields(n.tx, n.ctx, n.domainId, c.custom!.fields) } }, searchKey: null };
  }
}

async function checkSla(n: NewItemContext, config: SlaInputConfiguration): Promise<StoredSla> {
  const at = 'content.sla.slaInputConfiguration';
  if (config.fieldId === undefined) throw new ValidationException(`${at}.fieldId is required for an SLA of type ${config.type}`);
  if (config.targetFieldValues === undefined) throw new ValidationException(`${at}.targetFieldValues is required for an SLA of type ${config.type}`);
  const field = await n.tx.getResource<FieldData>('field', n.domainId, config.fieldId);
  if (!field) throw new ValidationException(`${at}.fieldId '${config.fieldId}' names no field of this domain`);
  if (field.deleted) throw new ValidationException(`${at}.fieldId '${config.fieldId}' names a deleted field`);
  const targets: FieldValueUnion[] = [];
  for (const [i, value] of config.targetFieldValues.entries()) {
    if (memberOf(value) === 'emptyValue') throw new ValidationException(`${at}.targetFieldValues.${i + 1}: an SLA target must be a value, not emptyValue`);
    const check = await checkFieldValue(n.tx, n.domainId, field.data, value);
    if (!check.ok) throw new ValidationException(`${at}.targetFieldValues.${i + 1} for field ${config.fieldId}: ${check.reason}`);
    targets.push(check.value);
  }
  const sla: StoredSla = {
    name: config.name,
    type: config.type,
    fieldId: config.fieldId,
    targetFieldValues: targets,
    targetTime: new Date(Date.parse(n.associationTime) + config.targetSlaMinutes * 60_000).toISOString(),
  };
  // A case that already holds the target value has met the SLA the moment it is added.
  if (meetsTarget(n.record.fields[config.fieldId], sla)) sla.completionTime = n.associationTime;
  return sla;
}

/**
 * The field values of a Custom item: custom fields only (system fields are refused, like the service does),
 * each valid for its field as on a case, no id twice, at most the quota of fields per item. On update,
 * `current` are the item's values: as on a case, a value the item already holds stays acceptable (an option
 * deactivated since), and a deleted field may still be given where the item holds it.
 */
export async function checkCustomFields(tx: Tx, ctx: Context, domainId: string, fields: FieldValue[], current: FieldValue[] = []): Promise<FieldValue[]> {
  const limit = ctx.quotas.fieldsPerCustomRelatedItem;
  if (fields.length > limit) {
    throw new ServiceQuotaExceededException(`A Custom related item holds at most ${limit} fields; the request has ${fields.length}`);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const held = new Map(current.map((f) => [f.id, f.value]));
  const out: FieldValue[] = [];
  for (const { id, value } of fields) {
    if (seen.has(id)) {
      problems.push(`field ${id} is given more than once`);
      continue;
    }
    seen.add(id);
    const field = await tx.getResource<FieldData>('field', domainId, id);
    if (!field) problems.push(`field ${id} does not exist`);
    else if (field.data.namespace === 'System') problems.push(`field ${id} is a system field; Custom related items take custom fields only`);
    else if (field.deleted && !held.has(id)) problems.push(`field ${id} has been deleted`);
    else if (isDeepStrictEqual(held.get(id), value)) out.push({ id, value });
    else {
      const check = await checkFieldValue(tx, domainId, field.data, value);
      if (check.ok) out.push({ id, value: check.value });
      else problems.push(`field ${id}: ${check.reason}`);
    }
  }
  if (problems.length) throw new ValidationException(`Invalid content.custom.fields: ${problems.join('; ')}`);
  return out;
}

/** The content as served: an SLA gets its status as of `now`. */
export function servedContent(item: RelatedItemRecord, now: Date): RelatedItemContent {
  if (item.type === 'Sla') {
    const { slaConfiguration } = item.content.sla as { slaConfiguration: StoredSla };
    return { sla: { slaConfiguration: servedSla(slaConfiguration, now) } };
  }
  return item.content as RelatedItemContent;
}

// --- audit ---------------------------------------------------------------------------------------------

/** AuditEventFieldValueUnion.stringValue holds at most 4100 characters; longer comment bodies are cut there. */
const AUDIT_STRING_LIMIT = 4100;

const auditString = (s: string): FieldValueUnion => {
  const chars = [...s];
  return { stringValue: chars.length > AUDIT_STRING_LIMIT ? chars.slice(0, AUDIT_STRING_LIMIT).join('') : s };
};

/**
 * The values an audit event records for an item's content, keyed by eventFieldId: the content members by
 * name (`body`, `contactArn`, `fileArn`, `caseId`, the SLA's `name`, `fieldId`, `targetFieldValue`,
 * `targetTime`) and, for Custom items, their field ids.
 */
export function auditValues(type: string, content: Record<string, any>): Record<string, FieldValueUnion> {
  switch (type) {
    case 'Comment':
      return { body: auditString(content.comment.body), contentType: { stringValue: content.comment.contentType } };
    case 'Contact':
      return {
        contactArn: { stringValue: content.contact.contactArn },
        channel: { stringValue: content.contact.channel },
        connectedToSystemTime: { stringValue: content.contact.connectedToSystemTime },
      };
    case 'File':
      return { fileArn: { stringValue: content.file.fileArn } };
    case 'ConnectCase':
      return { caseId: { stringValue: content.connectCase.caseId } };
    case 'Sla': {
      const sla = content.sla.slaConfiguration as StoredSla;
      return {
        name: auditString(sla.name),
        type: { stringValue: sla.type },
        fieldId: { stringValue: sla.fieldId! },
        targetFieldValue: sla.targetFieldValues![0],
        targetTime: { stringValue: sla.targetTime },
      };
    }
    default:
      return Object.fromEntries((content.custom.fields as FieldValue[]).map((f) => [f.id, f.value]));
  }
}

export const createdAuditFields = (item: RelatedItemRecord): AuditEventField[] => initialFields(auditValues(item.type, item.content));

export function updatedAuditFields(type: string, before: Record<string, unknown>, after: Record<string, unknown>): AuditEventField[] {
  const old = auditValues(type, before);
  const now = auditValues(type, after);
  return changedFields(old, now, new Set([...Object.keys(old), ...Object.keys(now)]));
}

export function deletedAuditFields(item: RelatedItemRecord): AuditEventField[] {
  const old = auditValues(item.type, item.content);
  return changedFields(old, {}, Object.keys(old));
}

// --- search --------------------------------------------------------------------------------------------

/** The part of a filter the store can match by index: the type, and the search key where the filter names one. */
export function storeMatch(filter: RelatedItemTypeFilter): { type: string; searchKey?: string } {
  if (filter.contact) return { type: 'Contact', searchKey: filter.contact.contactArn };
  if (filter.comment) return { type: 'Comment' };
  if (filter.file) return { type: 'File', searchKey: filter.file.fileArn };
  if (filter.sla) return { type: 'Sla', searchKey: filter.sla.name };
  if (filter.connectCase) return { type: 'ConnectCase', searchKey: filter.connectCase.caseId };
  return { type: 'Custom' };
}

/** A request filter with its Custom field conditions checked and resolved (as SearchCases does). */
export interface ResolvedFilter {
  filter: RelatedItemTypeFilter;
  custom?: CaseCondition;
}

/**
 * Checks the Custom field conditions of the filters with the SearchCases rules (src/cases/search-filter.ts): the
 * fields must exist, values must use the field's member, `contains` applies to text, nesting is bounded.
 */
export async function resolveFilters(tx: Tx, domainId: string, filters: RelatedItemTypeFilter[]): Promise<ResolvedFilter[]> {
  const fields = new FieldResolver(tx, domainId);
  const out: ResolvedFilter[] = [];
  for (const [i, filter] of filters.entries()) {
    if (!filter.custom?.fields) {
      out.push({ filter });
      continue;
    }
    try {
      // A CustomFieldsFilter is a CaseFilter without `tag`.
      out.push({ filter, custom: await resolveFilter(fields, filter.custom.fields as CaseFilter) });
    } catch (e) {
      // The resolver names paths from a SearchCases `filter`; here that filter sits at filters[i].custom.fields.
      if (e instanceof ValidationException) throw new ValidationException(e.message.replace(/^filter/, `filters[${i}].custom.fields`));
      throw e;
    }
  }
  return out;
}

/** Whether an item matches one filter completely (type, key and the conditions the store cannot check). */
export function matchesFilter(item: RelatedItemRecord, f: ResolvedFilter, now: Date): boolean {
  const m = storeMatch(f.filter);
  if (item.type !== m.type || (m.searchKey !== undefined && item.searchKey !== m.searchKey)) return false;
  const content = item.content as Record<string, any>;
  if (f.filter.contact?.channel?.length) return f.filter.contact.channel.includes(content.contact.channel);
  if (f.filter.sla?.status) return slaStatus(content.sla.slaConfiguration, now) === f.filter.sla.status;
  if (f.custom) return holds(content.custom.fields, f.custom);
  return true;
}

/** Filters are OR-ed; no filter matches every item. */
export const matchesAny = (item: RelatedItemRecord, filters: ResolvedFilter[], now: Date) =>
  filters.length === 0 || filters.some((f) => matchesFilter(item, f, now));

/** Evaluates a resolved condition on a Custom item's values, with the meaning SearchCases gives it on a case. */
function holds(fields: FieldValue[], c: CaseCondition): boolean {
  switch (c.kind) {
    case 'not':
      return !holds(fields, c.condition);
    case 'and':
      return c.conditions.every((x) => holds(fields, x));
    case 'or':
      return c.conditions.some((x) => holds(fields, x));
    case 'tag':
      return false;
    case 'empty': {
      const v = valueOf(fields, c.fieldId);
      return v === undefined || v.emptyValue !== undefined;
    }
    case 'contains': {
      const v = valueOf(fields, c.fieldId)?.stringValue;
      return v !== undefined && v.toLowerCase().includes(c.text);
    }
    case 'compare': {
      const v = valueOf(fields, c.fieldId);
      const held = v === undefined ? undefined : c.column === 'n' ? (v.doubleValue ?? (v.booleanValue === undefined ? undefined : Number(v.booleanValue))) : (v.stringValue ?? v.userArnValue);
      if (held === undefined || typeof held !== typeof c.value) return false;
      const order = held < c.value ? -1 : held > c.value ? 1 : 0;
      return c.op === '=' ? order === 0 : c.op === '>' ? order > 0 : c.op === '>=' ? order >= 0 : c.op === '<' ? order < 0 : order <= 0;
    }
  }
}

const valueOf = (fields: FieldValue[], fieldId: string) => fields.find((f) => f.id === fieldId)?.value;

export interface SearchRequest {
  domainId: string;
  /** One case (SearchRelatedItems), or the whole domain (SearchAllRelatedItems). */
  caseId?: string;
  filters: RelatedItemTypeFilter[];
  sorts: RelatedItemSearch['sorts'];
  maxResults: number;
  nextToken?: string;
  /** The listing a pagination token is bound to. */
  tokenKind: string;
}

/** Rows read per store call when filters leave some of them out. */
const SEARCH_BATCH = 100;

/**
 * One page of related items matching any of the filters, in the requested order. The store narrows by type and
 * search key; the rest (contact channel, SLA status as of now, Custom field conditions) is checked here, reading
 * further batches until the page is full. The token carries the position of the last item examined.
 */
export async function searchPage(ctx: Context, req: SearchRequest): Promise<{ items: RelatedItemRecord[]; nextToken?: string }> {
  const now = ctx.now();
  let after = req.nextToken ? ctx.tokens.decode<RelatedItemPosition>(req.tokenKind, req.nextToken) : undefined;
  const matches = req.filters.map(storeMatch);
  const items: RelatedItemRecord[] = [];
  return ctx.store.read(async (tx) => {
    const filters = await resolveFilters(tx, req.domainId, req.filters);
    for (;;) {
      const batch = await tx.searchRelatedItems({ domainId: req.domainId, caseId: req.caseId, matches, sorts: req.sorts, after, limit: SEARCH_BATCH });
      for (const item of batch) {
        if (matchesAny(item, filters, now)) {
          if (items.length === req.maxResults) return { items, nextToken: ctx.tokens.encode(req.tokenKind, after) };
          items.push(item);
        }
        after = { associationTime: item.associationTime, caseId: item.caseId, seq: item.seq! };
      }
      if (batch.length < SEARCH_BATCH) return { items };
    }
  });
}
