import { createHash, randomInt } from 'node:crypto';
import type { CreateCaseRequest } from '../../../model/types.js';
import type { Handler } from '../handler.js';
import type { Tx } from '../../store/types.js';
import { ConflictException, InternalServerException, ValidationException, notFound } from '../../protocol/errors.js';
import { caseArn } from '../../cases/arn.js';
import { requireDomain, type TemplateData } from '../../cases/records.js';
import { appendAuditEvent, buildAuditEvent, initialFields } from '../../cases/audit.js';
import { applyValues, checkCase, checkPerformedBy, checkRequestedValues, stampServerValues } from '../../cases/case-writes.js';
import { emitCaseEvent } from '../../events/outbox.js';

/** How long a clientToken keeps answering with the case it created. */
export const IDEMPOTENCY_WINDOW_MS = 8 * 60 * 60 * 1000;

export const createCase: Handler<'CreateCase'> = async (input, ctx) => {
  checkPerformedBy(input.performedBy);
  const token = input.clientToken || undefined;
  const requestHash = hashRequest(input);
  const caseId = await ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const domainId = domain.domainId;
    const now = ctx.now();
    // Check and insert share this transaction, so concurrent duplicates cannot both create a case.
    if (token) {
      const prior = await tx.getIdempotency(domainId, token);
      if (prior && now.getTime() - Date.parse(prior.createdTime) < IDEMPOTENCY_WINDOW_MS) {
        if (prior.requestHash !== requestHash) {
          throw new ConflictException(`clientToken '${token}' was already used for a different CreateCase request (case ${prior.caseId})`);
        }
        return prior.caseId;
      }
    }
    const template = await usableTemplate(tx, domainId, input.templateId);
    const requested = await checkRequestedValues(tx, domainId, input.fields);

    const caseId = ctx.newId();
    const performedTime = now.toISOString();
    const referenceNumber = await freeReferenceNumber(tx, domainId);
    const values = applyValues({}, requested);
    values.status ??= { stringValue: 'open' };
    values.case_id = { stringValue: caseId };
    values.reference_number = { stringValue: referenceNumber };
    values.created_datetime = { stringValue: performedTime };
    stampServerValues(undefined, values, performedTime, input.performedBy);
    await checkCase({ tx, ctx, domainId, template, after: values, requested });

    const tags = caseTags(template, input.tags, ctx.quotas.tagsPerResource);
    const record = {
      domainId,
      caseId,
      templateId: template.templateId,
      referenceNumber,
      createdTime: performedTime,
      lastUpdatedTime: performedTime,
      fields: values,
      tags,
    };
    await tx.insertCase(record);
    const event = buildAuditEvent(ctx, { type: 'Case.Created', performedTime, fields: initialFields(values), user: input.performedBy });
    await appendAuditEvent(tx, domainId, caseId, event);
    await emitCaseEvent(tx, ctx, { eventType: 'CASE.CREATED', record, changedFieldIds: Object.keys(values), performedBy: input.performedBy });
    if (token) await tx.putIdempotency({ domainId, token, requestHash, caseId, createdTime: performedTime });
    return caseId;
  });
  return { caseId, caseArn: caseArn(ctx.region, ctx.accountId, input.domainId, caseId) };
};

async function usableTemplate(tx: Tx, domainId: string, templateId: string): Promise<TemplateData> {
  const t = await tx.getResource<TemplateData>('template', domainId, templateId);
  if (!t) throw notFound('Template', templateId);
  if (t.deleted) throw new ValidationException(`Template ${templateId} has been deleted; cases cannot be created from it`);
  if (t.data.status !== 'Active') throw new ValidationException(`Template ${templateId} is ${t.data.status}; only Active templates can create cases`);
  return t.data;
}

/** A random 8-digit number no other case of the domain uses. */
async function freeReferenceNumber(tx: Tx, domainId: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const n = String(randomInt(0, 100_000_000)).padStart(8, '0');
    if (!(await tx.referenceNumberTaken(domainId, n))) return n;
  }
  throw new InternalServerException('No free reference number was found for the case; retry the request');
}

/**
 * The template's propagated tags (resourceType Cases) overlaid with the request's own tags. Spread rather than
 * Object.assign, which would take a tag named `__proto__` for the object's prototype.
 */
function caseTags(template: TemplateData, requestTags: Record<string, string> | undefined, limit: number): Record<string, string> {
  let tags: Record<string, string> = {};
  for (const c of template.tagPropagationConfigurations ?? []) {
    if (c.resourceType === 'Cases') tags = { ...tags, ...c.tagMap };
  }
  tags = { ...tags, ...requestTags };
  const count = Object.keys(tags).length;
  if (count > limit) {
    throw new ValidationException(`The case would carry ${count} tags (template ${template.templateId} propagates some); at most ${limit} are allowed`);
  }
  return tags;
}

/** A digest of everything but the clientToken, independent of key order and of the order of `fields`. */
function hashRequest(input: CreateCaseRequest): string {
  const { clientToken: _token, ...rest } = input;
  const fields = [...input.fields].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(canonicalJson({ ...rest, fields })).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
