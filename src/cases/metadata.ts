/**
 * Shared checks of the metadata operations (fields, options, layouts, templates): loading live records and
 * validating the field and layout ids that layouts and templates reference.
 */
import type { Tx, ResourceRecord } from '../store/types.js';
import type { FieldData, LayoutData, TemplateData } from './records.js';
import { ValidationException, notFound } from '../protocol/errors.js';

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
