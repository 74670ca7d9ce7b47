import type { FieldValueUnion } from '../../model/types.js';

/**
 * The typed columns under which both stores index a field value for search: `s` for Text, Url, SingleSelect,
 * DateTime and User values, `n` for Number and Boolean (0/1); null for a value that is not indexed (emptyValue).
 */
export function indexedValue(v: FieldValueUnion): { s: string | null; n: number | null } | null {
  if (v.stringValue !== undefined) return { s: v.stringValue, n: null };
  if (v.userArnValue !== undefined) return { s: v.userArnValue, n: null };
  if (v.doubleValue !== undefined) return { s: null, n: v.doubleValue };
  if (v.booleanValue !== undefined) return { s: null, n: v.booleanValue ? 1 : 0 };
  return null;
}
