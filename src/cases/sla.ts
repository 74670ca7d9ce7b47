/**
 * SLA related items (AG cases-sla). An SLA is met when its case field takes one of its target values. The
 * stored SLA keeps its target and completion times but no status: the status depends on the time of reading
 * (Active turns Overdue when the target time passes), so it is computed whenever an SLA is served or filtered.
 * The case's `next_sla_breach_datetime` holds the earliest target time among its SLAs not met yet.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FieldValueUnion, SlaConfiguration, SlaStatus } from '../../model/types.js';
import type { CaseRecord, RelatedItemRecord, Tx } from '../store/types.js';

/** An SLA as stored: everything of SlaConfiguration but its status. */
export type StoredSla = Omit<SlaConfiguration, 'status'>;

export const NEXT_SLA_BREACH_FIELD = 'next_sla_breach_datetime';

export function slaStatus(sla: StoredSla, now: Date): SlaStatus {
  const target = Date.parse(sla.targetTime);
  if (sla.completionTime !== undefined) return Date.parse(sla.completionTime) <= target ? 'Met' : 'NotMet';
  return now.getTime() < target ? 'Active' : 'Overdue';
}

export const servedSla = (sla: StoredSla, now: Date): SlaConfiguration => ({ ...sla, status: slaStatus(sla, now) });

/** Whether a case value equals one of the SLA's targets (both normalised by checkFieldValue). */
export function meetsTarget(value: FieldValueUnion | undefined, sla: StoredSla): boolean {
  return value !== undefined && (sla.targetFieldValues ?? []).some((t) => isDeepStrictEqual(t, value));
}

const storedSla = (item: RelatedItemRecord) => (item.content.sla as { slaConfiguration: StoredSla }).slaConfiguration;

export async function listSlas(tx: Tx, domainId: string, caseId: string): Promise<RelatedItemRecord[]> {
  // The per-case SLA quota keeps this small (UpdateCase looks them up every time).
  return tx.listRelatedItems({ domainId, caseId, types: ['Sla'] });
}

/**
 * Sets `next_sla_breach_datetime` of the case to the earliest target time of its open SLAs, or clears it when
 * none is open. A server-kept value: it does not count as a change of the case (no last-updated stamp, no audit).
 */
export async function refreshNextSlaBreach(tx: Tx, record: CaseRecord, slas: RelatedItemRecord[]): Promise<void> {
  const open = slas.map(storedSla).filter((s) => s.completionTime === undefined);
  const next = open.reduce<string | undefined>((min, s) => (min === undefined || Date.parse(s.targetTime) < Date.parse(min) ? s.targetTime : min), undefined);
  const current = record.fields[NEXT_SLA_BREACH_FIELD]?.stringValue;
  if (current === next) return;
  const fields = { ...record.fields };
  if (next === undefined) delete fields[NEXT_SLA_BREACH_FIELD];
  else fields[NEXT_SLA_BREACH_FIELD] = { stringValue: next };
  await tx.updateCase({ ...record, fields }, [NEXT_SLA_BREACH_FIELD]);
}

/**
 * Called by UpdateCase in its transaction, after the case is written: open SLAs whose field now holds a target
 * value are completed at `now`, and `next_sla_breach_datetime` follows.
 */
export async function trackSlas(tx: Tx, record: CaseRecord, changedFieldIds: string[], now: string): Promise<void> {
  const slas = await listSlas(tx, record.domainId, record.caseId);
  if (!slas.length) return;
  const changed = new Set(changedFieldIds);
  const tracked: RelatedItemRecord[] = [];
  for (const item of slas) {
    const sla = storedSla(item);
    const reached = sla.completionTime === undefined && sla.fieldId !== undefined && changed.has(sla.fieldId) && meetsTarget(record.fields[sla.fieldId], sla);
    if (!reached) {
      tracked.push(item);
      continue;
    }
    const completed: RelatedItemRecord = { ...item, content: { sla: { slaConfiguration: { ...sla, completionTime: now } } } };
    await tx.updateRelatedItem(completed);
    tracked.push(completed);
  }
  await refreshNextSlaBreach(tx, record, tracked);
}
