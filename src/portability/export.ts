/**
 * Reads a whole domain through the public Connect Cases API, so it works against the real service as well as
 * opencases. Records come in chunks: first all metadata, then one chunk per SearchCases page (each case with its
 * related items and audit events), then the end record. Each chunk carries the state to continue after it, which
 * is what a checkpoint stores. Record order depends only on the source's data: cases are enumerated by
 * (created_datetime, case_id) and a page's cases are written in page order however many are fetched at once.
 */
import {
  AccessDeniedException,
  BatchGetCaseRuleCommand,
  BatchGetFieldCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  GetCaseEventConfigurationCommand,
  GetDomainCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  ListCaseRulesCommand,
  ListFieldOptionsCommand,
  ListFieldsCommand,
  ListLayoutsCommand,
  ListTemplatesCommand,
  ResourceNotFoundException,
  SearchCasesCommand,
  SearchRelatedItemsCommand,
  type BatchGetFieldCommandOutput,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { emptyCounts, header, type Counts, type ExportRecord } from './format.js';

/** Where an export stands between two chunks. */
export interface ExportState {
  /** `cases`: metadata is written, cases continue from `nextToken` (absent: from the first page). */
  stage: 'metadata' | 'cases' | 'done';
  nextToken?: string;
  /** Ids of every field written (listed ones, then deleted ones cases still hold): the fields GetCase is asked for. */
  fieldIds: string[];
  /** Templates written so far; a case naming another one (a deleted template) brings its record along. */
  templateIds: string[];
  /** False once GetCaseAuditEvents was denied (no permission): the export goes on without audit history. */
  auditReadable: boolean;
  counts: Counts;
}

export const initialState = (): ExportState => ({ stage: 'metadata', fieldIds: [], templateIds: [], auditReadable: true, counts: emptyCounts() });

export interface ExportChunk {
  records: ExportRecord[];
  /** The state once these records are written. */
  state: ExportState;
}

export interface ExportOptions {
  domainId: string;
  /** Cases fetched at the same time (each takes a GetCase, a SearchRelatedItems and a GetCaseAuditEvents call or more). */
  concurrency?: number;
  /** SearchCases page size (1-100): cases per chunk, and per checkpoint. */
  pageSize?: number;
  /** Told once when part of the domain cannot be read (audit history without permission). */
  onWarning?: (message: string) => void;
}

/** The source is read in this order so that new cases arrive last and a page boundary never moves. */
const CASE_ORDER = [
  { fieldId: 'created_datetime', sortOrder: 'Asc' as const },
  { fieldId: 'case_id', sortOrder: 'Asc' as const },
];

/** Response members that are transport details, not data. */
function data<T extends { $metadata?: unknown }>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = response;
  return rest;
}

async function all<T>(fetch: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.nextToken;
  } while (token);
  return out;
}

const chunks = <T>(xs: T[], size: number) => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/** Runs fn over items with at most `limit` calls at once; results in item order. The first error is thrown once all calls have stopped. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return out;
}

/** Everything of a domain but its cases, in the order an import needs: what a record references comes before it. */
async function metadata(client: ConnectCasesClient, domainId: string, state: ExportState): Promise<ExportRecord[]> {
  const records: ExportRecord[] = [header()];
  records.push({ type: 'domain', domain: data(await client.send(new GetDomainCommand({ domainId }))) });

  const summaries = await all(async (nextToken) => {
    const r = await client.send(new ListFieldsCommand({ domainId, nextToken, maxResults: 100 }));
    return { items: r.fields ?? [], nextToken: r.nextToken };
  });
  for (const ids of chunks(summaries.map((f) => f.fieldId!), 50)) {
    const r = await client.send(new BatchGetFieldCommand({ domainId, fields: ids.map((id) => ({ id })) }));
    const byId = new Map((r.fields ?? []).map((f) => [f.fieldId!, f]));
    for (const id of ids) {
      const field = byId.get(id);
      // Listed a moment ago, gone now: deleted while exporting.
      if (!field) continue;
      const options =
        field.type === 'SingleSelect'
          ? await all(async (nextToken) => {
              const o = await client.send(new ListFieldOptionsCommand({ domainId, fieldId: id, nextToken, maxResults: 100 }));
              return { items: o.options ?? [], nextToken: o.nextToken };
            })
          : [];
      records.push({ type: 'field', field, options });
      state.fieldIds.push(id);
      state.counts.fields++;
    }
  }

  const layouts = await all(async (nextToken) => {
    const r = await client.send(new ListLayoutsCommand({ domainId, nextToken, maxResults: 100 }));
    return { items: r.layouts ?? [], nextToken: r.nextToken };
  });
  for (const l of layouts) {
    records.push({ type: 'layout', layout: data(await client.send(new GetLayoutCommand({ domainId, layoutId: l.layoutId! }))) });
    state.counts.layouts++;
  }

  const rules = await all(async (nextToken) => {
    const r = await client.send(new ListCaseRulesCommand({ domainId, nextToken, maxResults: 100 }));
    return { items: r.caseRules ?? [], nextToken: r.nextToken };
  });
  for (const ids of chunks(rules.map((r) => r.caseRuleId!), 50)) {
    const r = await client.send(new BatchGetCaseRuleCommand({ domainId, caseRules: ids.map((id) => ({ id })) }));
    const byId = new Map((r.caseRules ?? []).map((c) => [c.caseRuleId!, c]));
    for (const id of ids) {
      const caseRule = byId.get(id);
      if (!caseRule) continue;
      records.push({ type: 'caseRule', caseRule });
      state.counts.caseRules++;
    }
  }

  const templates = await all(async (nextToken) => {
    const r = await client.send(new ListTemplatesCommand({ domainId, nextToken, maxResults: 100, status: ['Active', 'Inactive'] }));
    return { items: r.templates ?? [], nextToken: r.nextToken };
  });
  for (const t of templates) {
    records.push({ type: 'template', template: data(await client.send(new GetTemplateCommand({ domainId, templateId: t.templateId! }))) });
    state.templateIds.push(t.templateId!);
    state.counts.templates++;
  }

  const config = await client.send(new GetCaseEventConfigurationCommand({ domainId }));
  records.push({ type: 'eventConfiguration', eventBridge: config.eventBridge ?? { enabled: false } });
  return records;
}

type Field = NonNullable<BatchGetFieldCommandOutput['fields']>[number];

/**
 * Deleted fields by id, looked up once per export run. ListFields leaves deleted fields out, but cases keep their
 * values, and GetCase returns them when asked: the audit history names them.
 */
class DeletedFields {
  private readonly known = new Map<string, Promise<Field | undefined>>();
  constructor(
    private readonly client: ConnectCasesClient,
    private readonly domainId: string,
  ) {}

  async among(ids: string[]): Promise<Field[]> {
    const missing = ids.filter((id) => !this.known.has(id));
    if (missing.length) {
      const lookup = Promise.all(
        chunks(missing, 50).map((group) => this.client.send(new BatchGetFieldCommand({ domainId: this.domainId, fields: group.map((id) => ({ id })) }))),
      ).then((answers) => new Map(answers.flatMap((a) => a.fields ?? []).map((f) => [f.fieldId!, f])));
      for (const id of missing) this.known.set(id, lookup.then((found) => (found.get(id)?.deleted ? found.get(id) : undefined)));
    }
    const fields = await Promise.all(ids.map((id) => this.known.get(id)!));
    return fields.filter((f): f is Field => f !== undefined);
  }
}

/** Ids of the fields a case's own audit events (not its related items') name. */
const caseFieldIds = (events: Record<string, any>[]) =>
  [...new Set(events.filter((e) => e.type === 'Case.Created' || e.type === 'Case.Updated').flatMap((e) => (e.fields ?? []).map((f: { eventFieldId: string }) => f.eventFieldId)))];

/**
 * One case with everything that hangs on it: `deletedFields` that hold values of the case but are not among
 * `fieldIds`, and `auditDenied` when the caller may not read its audit history.
 */
async function caseRecords(
  client: ConnectCasesClient,
  domainId: string,
  caseId: string,
  fieldIds: string[],
  readAudit: boolean,
  deleted: DeletedFields,
): Promise<{ templateId: string; records: ExportRecord[]; deletedFields: Field[]; auditDenied: boolean }> {
  let events: Record<string, any>[] = [];
  let auditDenied = false;
  if (readAudit) {
    try {
      events = await all(async (nextToken) => {
        const r = await client.send(new GetCaseAuditEventsCommand({ domainId, caseId, nextToken, maxResults: 25 }));
        return { items: (r.auditEvents ?? []).filter((e) => e !== null), nextToken: r.nextToken };
      });
    } catch (e) {
      if (!(e instanceof AccessDeniedException)) throw e;
      auditDenied = true;
    }
  }
  const listed = new Set(fieldIds);
  const deletedFields = await deleted.among(caseFieldIds(events).filter((id) => !listed.has(id)));

  const fields: { id: string; value: Record<string, any> }[] = [];
  let templateId = '';
  let tags: Record<string, string> = {};
  for (const ids of chunks([...fieldIds, ...deletedFields.map((f) => f.fieldId!)], 220)) {
    let nextToken: string | undefined;
    do {
      const r = await client.send(new GetCaseCommand({ domainId, caseId, fields: ids.map((id) => ({ id })), nextToken }));
      for (const f of r.fields ?? []) fields.push({ id: f.id!, value: f.value as Record<string, any> });
      templateId = r.templateId!;
      tags = (r.tags as Record<string, string>) ?? {};
      nextToken = r.nextToken;
    } while (nextToken);
  }
  const records: ExportRecord[] = [{ type: 'case', case: { caseId, templateId, fields, tags } }];

  const items = await all(async (nextToken) => {
    const r = await client.send(new SearchRelatedItemsCommand({ domainId, caseId, nextToken, maxResults: 25 }));
    return { items: (r.relatedItems ?? []).filter((i) => i !== null), nextToken: r.nextToken };
  });
  for (const relatedItem of items) records.push({ type: 'relatedItem', caseId, relatedItem });

  // Served newest first; the file keeps them in the order they happened, the order an import appends them.
  for (const event of events.reverse()) records.push({ type: 'auditEvent', caseId, event });
  return { templateId, records, deletedFields, auditDenied };
}

/** A template that cases use but ListTemplates no longer shows (deleted); undefined when it is gone entirely. */
async function hiddenTemplate(client: ConnectCasesClient, domainId: string, templateId: string): Promise<ExportRecord | undefined> {
  try {
    return { type: 'template', template: data(await client.send(new GetTemplateCommand({ domainId, templateId }))) };
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

/**
 * The export as chunks, from the beginning or from `resume` (the state saved after the last chunk written).
 * A case deleted between SearchCases and its GetCase is left out.
 */
export async function* exportChunks(client: ConnectCasesClient, opts: ExportOptions, resume?: ExportState): AsyncGenerator<ExportChunk> {
  const { domainId } = opts;
  const concurrency = opts.concurrency ?? 8;
  const pageSize = opts.pageSize ?? 100;
  const state: ExportState = structuredClone(resume ?? initialState());
  if (state.stage === 'done') return;
  const deleted = new DeletedFields(client, domainId);
  if (state.stage === 'metadata') {
    const records = await metadata(client, domainId, state);
    state.stage = 'cases';
    yield { records, state: structuredClone(state) };
  }
  for (;;) {
    const page = await client.send(new SearchCasesCommand({ domainId, maxResults: pageSize, sorts: CASE_ORDER, nextToken: state.nextToken }));
    const ids = (page.cases ?? []).flatMap((c) => (c ? [c.caseId!] : []));
    const fetched = await mapLimit(ids, concurrency, async (caseId) => {
      try {
        return await caseRecords(client, domainId, caseId, state.fieldIds, state.auditReadable, deleted);
      } catch (e) {
        if (e instanceof ResourceNotFoundException) return undefined;
        throw e;
      }
    });
    if (fetched.some((c) => c?.auditDenied)) {
      state.auditReadable = false;
      opts.onWarning?.('GetCaseAuditEvents was denied: the export continues without audit history');
    }
    const records: ExportRecord[] = [];
    for (const c of fetched) {
      if (!c) continue;
      for (const field of c.deletedFields) {
        if (state.fieldIds.includes(field.fieldId!)) continue;
        records.push({ type: 'field', field, options: [] });
        state.fieldIds.push(field.fieldId!);
        state.counts.fields++;
      }
      if (!state.templateIds.includes(c.templateId)) {
        state.templateIds.push(c.templateId);
        const t = await hiddenTemplate(client, domainId, c.templateId);
        if (t) {
          records.push(t);
          state.counts.templates++;
        }
      }
      for (const r of c.records) {
        // All or nothing per page, so that a resumed export writes what an uninterrupted one would.
        if (r.type === 'auditEvent' && !state.auditReadable) continue;
        records.push(r);
        if (r.type === 'case') state.counts.cases++;
        else if (r.type === 'relatedItem') state.counts.relatedItems++;
        else if (r.type === 'auditEvent') state.counts.auditEvents++;
      }
    }
    state.nextToken = page.nextToken;
    if (!page.nextToken) {
      state.stage = 'done';
      records.push({ type: 'end', counts: { ...state.counts } });
      yield { records, state: structuredClone(state) };
      return;
    }
    yield { records, state: structuredClone(state) };
  }
}

/** The export as a flat record stream (`opencases copy`). */
export async function* exportRecords(client: ConnectCasesClient, opts: ExportOptions): AsyncGenerator<ExportRecord> {
  for await (const chunk of exportChunks(client, opts)) yield* chunk.records;
}
