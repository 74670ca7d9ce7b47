/**
 * The `store` ceiling of bench/api.ts: opencases' own SQLite store behind the bare server of bench/ceiling.ts.
 * node:http, JSON.parse of the body, and for each request the store calls opencases' handler makes (the same
 * statements: the same domain, template, case, idempotency, audit, outbox and SLA rows, and the same search
 * index work, batches and text indexer included), with the same durability settings and the same group commit,
 * because it is the same store. No SigV4, no protocol layer (routing table, JSON-schema validation, response
 * shapes), no checks of the values against the domain's fields and template, no log line.
 *
 * What opencases would do if its API layer cost nothing: its ratio is the API layer's share of a request, and what
 * separates it from the `append` ceiling is the store's own work, most of it the search index's. (For writes it is
 * no strict bound: a faster front end forms smaller write groups at the same concurrency; docs/performance.md.)
 *
 *   node --import tsx bench/ceiling-store.ts --data-dir DIR --port N --account ACCOUNT
 * DIR holds a copy of a seeded opencases database (opencases.db).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Store } from '../src/store/types.js';
import type { Context } from '../src/context.js';
import type { TemplateData } from '../src/cases/records.js';
import type { FieldValueUnion } from '../model/types.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { newId } from '../src/ids.js';
import { applyValues, differingIds, stampServerValues } from '../src/cases/case-writes.js';
import { appendAuditEvent, buildAuditEvent, changedFields, initialFields } from '../src/cases/audit.js';
import { emitCaseEvent } from '../src/events/outbox.js';
import { trackSlas } from '../src/cases/sla.js';
import { FieldResolver, resolveFilter, resolveSorts, searchWords } from '../src/cases/search-filter.js';
import { type BareHandler, serveBare } from './ceiling.js';

type FieldInput = { id: string; value: FieldValueUnion };

/** The server's answers to the bench's four operations, each the store calls of its handler in src/operations/case. */
export function storeCeilingHandler(store: Store, accountId: string) {
  // What audit entries and events record of the caller and the time; no request id, no quotas, no rules.
  const ctx = {
    store,
    accountId,
    region: 'us-east-1',
    caller: { accountId, accessKeyId: 'AKIDCEILING', principalArn: `arn:aws:iam::${accountId}:root` },
    now: () => new Date(),
    newId,
  } as unknown as Context;
  const requested = (fields: FieldInput[]) => new Map(fields.map((f) => [f.id, f.value]));
  const pick = (fields: Record<string, FieldValueUnion>, wanted: { id: string }[]) =>
    wanted.filter(({ id }) => Object.hasOwn(fields, id)).map(({ id }) => ({ id, value: fields[id] }));

  const handle: BareHandler = (method, parts, input) => {
    const domainId = parts[1];
    if (method === 'POST' && parts.length === 3 && parts[2] === 'cases') {
      return store.write(async (tx) => {
        await tx.getResource('domain', accountId, domainId);
        const token: string | undefined = input.clientToken;
        const prior = token ? await tx.getIdempotency(domainId, token) : undefined;
        if (prior) return { caseId: prior.caseId };
        const template = (await tx.getResource<TemplateData>('template', domainId, input.templateId))!.data;
        let referenceNumber: string;
        do referenceNumber = String(randomInt(0, 100_000_000)).padStart(8, '0');
        while (await tx.referenceNumberTaken(domainId, referenceNumber));
        const caseId = newId();
        const performedTime = new Date().toISOString();
        const values = applyValues({}, requested(input.fields));
        values.status ??= { stringValue: 'open' };
        values.case_id = { stringValue: caseId };
        values.reference_number = { stringValue: referenceNumber };
        values.created_datetime = { stringValue: performedTime };
        stampServerValues(undefined, values, performedTime, input.performedBy);
        const record = { domainId, caseId, templateId: template.templateId, referenceNumber, createdTime: performedTime, lastUpdatedTime: performedTime, fields: values, tags: {} };
        await tx.insertCase(record);
        await appendAuditEvent(tx, domainId, caseId, buildAuditEvent(ctx, { type: 'Case.Created', performedTime, fields: initialFields(values), user: input.performedBy }));
        await emitCaseEvent(tx, ctx, { eventType: 'CASE.CREATED', record, changedFieldIds: Object.keys(values), performedBy: input.performedBy });
        if (token) await tx.putIdempotency({ domainId, token, requestHash: '', caseId, createdTime: performedTime });
        return { caseId };
      });
    }
    if (method === 'POST' && parts.length === 4 && parts[2] === 'cases') {
      return store.read(async (tx) => {
        await tx.getResource('domain', accountId, domainId);
        const record = (await tx.getCase(domainId, parts[3]))!;
        return { fields: pick(record.fields, input.fields), templateId: record.templateId, tags: record.tags };
      });
    }
    if (method === 'PUT' && parts.length === 4 && parts[2] === 'cases') {
      return store.write(async (tx) => {
        await tx.getResource('domain', accountId, domainId);
        const record = (await tx.getCase(domainId, parts[3]))!;
        const before = record.fields;
        const after = applyValues(before, requested(input.fields));
        const performedTime = new Date().toISOString();
        stampServerValues(before, after, performedTime, input.performedBy);
        await tx.getResource('template', domainId, record.templateId);
        const changed = differingIds(before, after);
        const updated = { ...record, lastUpdatedTime: performedTime, fields: after };
        await tx.updateCase(updated, changed);
        await trackSlas(tx, updated, changed, performedTime);
        const fields = changedFields(before, after, [...requested(input.fields).keys()]);
        await appendAuditEvent(tx, domainId, record.caseId, buildAuditEvent(ctx, { type: 'Case.Updated', performedTime, fields, user: input.performedBy }));
        await emitCaseEvent(tx, ctx, { eventType: 'CASE.UPDATED', record: updated, changedFieldIds: changed, performedBy: input.performedBy });
        return {};
      });
    }
    if (method === 'POST' && parts.length === 3 && parts[2] === 'cases-search') {
      return store.read(async (tx) => {
        await tx.getResource('domain', accountId, domainId);
        const fields = new FieldResolver(tx, domainId);
        const { totalCount, hits } = await tx.searchCases({
          domainId,
          condition: input.filter ? await resolveFilter(fields, input.filter) : undefined,
          words: searchWords(input.searchTerm),
          sorts: await resolveSorts(fields, input.sorts ?? []),
          limit: (input.maxResults ?? 25) + 1,
        });
        const cases = hits.slice(0, input.maxResults ?? 25).map(({ record }) => ({ caseId: record.caseId, fields: pick(record.fields, input.fields ?? []) }));
        return { cases, totalCount };
      });
    }
    return undefined;
  };
  return handle;
}

export function startStoreCeiling(store: Store, port: number, accountId: string) {
  return serveBare(port, storeCeilingHandler(store, accountId));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, account: { type: 'string' } } });
  const store = new SqliteStore({ dataDir: values['data-dir']! });
  const server = startStoreCeiling(store, Number(values.port), values.account!);
  process.on('SIGTERM', () => server.close(() => void store.close().then(() => process.exit(0))));
}
