/**
 * What CreateCase and UpdateCase share: checking the requested field values, applying them, stamping the
 * fields the server keeps, and checking the resulting case against its template (checkCase).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FieldValue, FieldValueUnion, UserUnion } from '../../model/types.js';
import type { Context } from '../context.js';
import type { CaseRecord, Tx } from '../store/types.js';
import type { FieldData, TemplateData } from './records.js';
import { ValidationException, notFound } from '../protocol/errors.js';
import { SYSTEM_FIELDS } from './system-fields.js';
import { checkFieldValue, isUserArn } from './field-values.js';
import { enforceCaseRules } from './case-rules.js';

/** Every value a case holds, keyed by field id; a field without a value is absent. */
export type FieldValues = Record<string, FieldValueUnion>;

const SERVER_MANAGED = new Set(SYSTEM_FIELDS.filter((f) => f.serverManaged).map((f) => f.id));

/** Fields every case must hold, whatever its template says. */
const ALWAYS_REQUIRED = ['title', 'status'];

/**
 * Checks the `fields` of a CreateCase (`current` undefined) or UpdateCase (`current` = the case's values) request
 * and returns the value per field id, DateTime values normalised, `emptyValue` for fields to clear.
 * Every problem of the request is reported in one ValidationException; nothing is returned partially.
 */
export async function checkRequestedValues(
  tx: Tx,
  domainId: string,
  entries: FieldValue[],
  current?: FieldValues,
): Promise<Map<string, FieldValueUnion>> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const dup = new Set<string>();
  const unknown: string[] = [];
  const serverManaged: string[] = [];
  const deleted: string[] = [];
  const result = new Map<string, FieldValueUnion>();
  for (const { id, value } of entries) {
    if (seen.has(id)) {
      dup.add(id);
      continue;
    }
    seen.add(id);
    if (SERVER_MANAGED.has(id)) {
      serverManaged.push(id);
      continue;
    }
    const field = await tx.getResource<FieldData>('field', domainId, id);
    if (!field) {
      unknown.push(id);
      continue;
    }
    // A deleted field keeps the values cases already hold; only those may still be changed or cleared.
    if (field.deleted && current?.[id] === undefined) {
      deleted.push(id);
      continue;
    }
    // A value the case already holds stays acceptable even when it no longer would be (an option since deactivated).
    if (current && isDeepStrictEqual(current[id], value)) {
      result.set(id, value);
      continue;
    }
    const check = await checkFieldValue(tx, domainId, field.data, value);
    if (check.ok) result.set(id, check.value);
    else problems.push(`field ${id}: ${check.reason}`);
  }
  if (dup.size) problems.unshift(`field ids given more than once: ${[...dup].join(', ')}`);
  if (unknown.length) problems.push(`unknown field ids: ${unknown.join(', ')}`);
  if (serverManaged.length) problems.push(`fields kept by the server cannot be set: ${serverManaged.join(', ')}`);
  if (deleted.length) {
    problems.push(
      current
        ? `deleted field ids (they can only be changed where the case already holds a value): ${deleted.join(', ')}`
        : `deleted field ids: ${deleted.join(', ')}`,
    );
  }
  if (problems.length) throw new ValidationException(`Invalid fields: ${problems.join('; ')}`);
  return result;
}

/** `values` with the requested changes applied: `emptyValue` removes a value. */
export function applyValues(values: FieldValues, requested: Map<string, FieldValueUnion>): FieldValues {
  const out = { ...values };
  for (const [id, v] of requested) {
    if (v.emptyValue !== undefined) delete out[id];
    else out[id] = v;
  }
  return out;
}

/** The ids whose value differs between the two maps. */
export function differingIds(before: FieldValues, after: FieldValues): string[] {
  const ids = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...ids].filter((id) => !isDeepStrictEqual(before[id], after[id]));
}

/** `performedBy.userArn` becomes `last_updated_user`, a User value: it must be a user ARN. */
export function checkPerformedBy(user: UserUnion | undefined): void {
  if (user?.userArn !== undefined && !isUserArn(user.userArn)) {
    throw new ValidationException(
      `performedBy.userArn '${user.userArn}' is not an Amazon Connect user ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/agent/{userId})`,
    );
  }
}

/**
 * Stamps the fields the server keeps on a case that changes at `now`: last update time and user, and the
 * close / reopen times when the status crosses `closed`. `before` is undefined for a new case.
 */
export function stampServerValues(before: FieldValues | undefined, after: FieldValues, now: string, user: UserUnion | undefined): void {
  after.last_updated_datetime = { stringValue: now };
  if (user?.userArn !== undefined) after.last_updated_user = { userArnValue: user.userArn };
  else delete after.last_updated_user;
  const wasClosed = before?.status?.stringValue === 'closed';
  const isClosed = after.status?.stringValue === 'closed';
  if (isClosed && !wasClosed) after.last_closed_datetime = { stringValue: now };
  if (before && wasClosed && !isClosed) after.last_reopened_datetime = { stringValue: now };
}

/** Whether a value counts for a required field: text made only of spaces is no title. */
const holdsValue = (v: FieldValueUnion | undefined) => v !== undefined && v.emptyValue === undefined && (v.stringValue === undefined || v.stringValue.trim() !== '');

export interface CaseCheck {
  tx: Tx;
  ctx: Context;
  domainId: string;
  template: TemplateData;
  /** The case's values before the change; undefined for CreateCase. */
  before?: FieldValues;
  /** The complete values the case will hold once written, server-kept fields included. */
  after: FieldValues;
  /** The checked values of the request (`emptyValue` for fields to clear). */
  requested: Map<string, FieldValueUnion>;
}

/**
 * The one place where a case about to be written is checked as a whole against its template: no clearing of
 * title, status or a template-required field, by emptyValue or by a blank text; on creation, each of them must
 * hold a value. (An update does not demand fields a template came to require after the case was made.)
 */
export async function checkCase(c: CaseCheck): Promise<void> {
  const required = new Set([...ALWAYS_REQUIRED, ...c.template.requiredFields.map((r) => r.fieldId)]);
  const cleared = [...c.requested].filter(([id, v]) => v.emptyValue !== undefined && required.has(id)).map(([id]) => id);
  if (cleared.length) throw new ValidationException(`Required fields cannot be set to emptyValue: ${cleared.join(', ')}`);
  if (!c.before) await requireValues(c, required);
  // CreateCase takes a blank title for no value (requireValues); an update must not leave one behind either.
  const blank = [...c.requested].filter(([id, v]) => v.emptyValue === undefined && required.has(id) && !holdsValue(v)).map(([id]) => id);
  if (blank.length) throw new ValidationException(`Required fields cannot be set to a blank text: ${blank.join(', ')}`);
  // Case rules are enforced only on request (--enforce-case-rules); docs/case-rules.md explains both modes.
  if (c.ctx.enforceCaseRules) await enforceCaseRules(c.tx, c.domainId, c.template, c.after, c.before);
}

async function requireValues(c: CaseCheck, required: Set<string>): Promise<void> {
  const missing: string[] = [];
  for (const id of required) {
    if (holdsValue(c.after[id])) continue;
    // A required field deleted after the template was made can no longer receive a value: it cannot be demanded.
    const field = await c.tx.getResource<FieldData>('field', c.domainId, id);
    if (field && !field.deleted) missing.push(id);
  }
  if (missing.length) {
    throw new ValidationException(`Required fields have no value: ${missing.join(', ')} (template ${c.template.templateId} requires them)`);
  }
}

/** The case, or ResourceNotFoundException (also for a deleted case: DeleteCase is permanent). */
export async function requireCase(tx: Tx, domainId: string, caseId: string): Promise<CaseRecord> {
  const c = await tx.getCase(domainId, caseId);
  if (!c) throw notFound('Case', caseId);
  return c;
}
