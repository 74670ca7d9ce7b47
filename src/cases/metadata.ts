/**
 * Shared checks of the metadata operations (fields, options, layouts, templates, case rules): unique names,
 * quotas, loading live records, and validating the field and layout ids that layouts and templates reference.
 */
import type { Tx, ResourceKind, ResourceRecord } from '../store/types.js';
import type { FieldData, LayoutData, TemplateData } from './records.js';
import { ConflictException, ServiceQuotaExceededException, ValidationException, notFound } from '../protocol/errors.js';

type NamedKind = 'field' | 'layout' | 'template' | 'caseRule';
const LABEL: Record<NamedKind, string> = { field: 'field', layout: 'layout', template: 'template', caseRule: 'case rule' };

/**
 * ConflictException when another live resource of the kind already carries the name in the domain. `selfId` is the
 * resource being renamed, which may keep its own name.
 */
export async function requireFreeName(tx: Tx, kind: NamedKind, domainId: string, name: string, selfId?: string): Promise<void> {
  const holder = await tx.findResourceByName(kind satisfies ResourceKind, domainId, name);
  if (holder && holder.id !== selfId) throw new ConflictException(`A ${LABEL[kind]} named '${name}' already exists in this domain`);
}

/** ServiceQuotaExceededException when the domain already holds `limit` live resources of the kind. */
export async function requireBelowQuota(tx: Tx, kind: NamedKind, domainId: string, limit: number): Promise<void> {
  if ((await tx.countResources(kind, domainId, false)) >= limit) {
    throw new ServiceQuotaExceededException(`This domain already has the maximum of ${limit} ${LABEL[kind]}s`);
  }
}

/** A field that exists and is not deleted; a deleted one cannot be changed any more (DeleteField docs). */
export async function requireLiveField(tx: Tx, domainId: string, fieldId: string): Promise<ResourceRecord<FieldData>> {
  const f = await tx.getResource<FieldData>('field', domainId, fieldId);
  if (!f) throw notFound('Field', fieldId);
  if (f.deleted) throw new ValidationException(`Field ${fieldId} has been deleted and cannot be changed`);
  return f;
}

export async function requireLayout(tx: Tx, domainId: string, layoutId: string): Promise<ResourceRecord<LayoutData>> {
  const l = await tx.getResource<LayoutData>('layout', domainId, layoutId);
  if (!l) throw notFound('Layout', layoutId);
  return l;
}

export async function requireTemplate(tx: Tx, domainId: string, templateId: string): Promise<ResourceRecord<TemplateData>> {
  const t = await tx.getResource<TemplateData>('template', domainId, templateId);
  if (!t) throw notFound('Template', templateId);
  return t;
}

/** The ids among `ids` that name no field or a deleted one, each once, in request order. */
export async function unusableFieldIds(tx: Tx, domainId: string, ids: Iterable<string>): Promise<{ unknown: string[]; deleted: string[] }> {
  const unknown: string[] = [];
  const deleted: string[] = [];
  for (const id of new Set(ids)) {
    const f = await tx.getResource<FieldData>('field', domainId, id);
    if (!f) unknown.push(id);
    else if (f.deleted) deleted.push(id);
  }
  return { unknown, deleted };
}

/** Throws a ValidationException naming every referenced field id that is unknown or deleted. */
export async function requireLiveFieldIds(tx: Tx, domainId: string, ids: Iterable<string>, where: string): Promise<void> {
  const { unknown, deleted } = await unusableFieldIds(tx, domainId, ids);
  const problems: string[] = [];
  if (unknown.length) problems.push(`unknown field ids: ${unknown.join(', ')}`);
  if (deleted.length) problems.push(`deleted field ids: ${deleted.join(', ')}`);
  if (problems.length) throw new ValidationException(`${where} references ${problems.join('; ')}`);
}

/** Ids that occur more than once, each reported once. */
export function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** The set of deleted field ids of a domain among `ids`, used to hide them from GetTemplate / GetLayout. */
export async function deletedFieldIds(tx: Tx, domainId: string, ids: Iterable<string>): Promise<Set<string>> {
  const { deleted } = await unusableFieldIds(tx, domainId, ids);
  return new Set(deleted);
}

/** The set of deleted case rule ids of a domain among `ids`, hidden from GetTemplate as deleted fields are. */
export async function deletedCaseRuleIds(tx: Tx, domainId: string, ids: Iterable<string>): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (const id of new Set(ids)) if ((await tx.getResource('caseRule', domainId, id))?.deleted) deleted.add(id);
  return deleted;
}
