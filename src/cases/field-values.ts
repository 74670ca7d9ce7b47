/**
 * Validation of one FieldValueUnion against the field it is written to (FACTS.md "Field types and values").
 * Shared by CreateCase / UpdateCase and by Custom related items.
 */
import type { FieldValueUnion } from '../../model/types.js';
import type { Tx } from '../store/types.js';
import { optionScope, type FieldData, type FieldOptionData } from './records.js';
import { VALUE_MEMBER, memberOf } from './field-types.js';

export const TEXT_LIMIT_SINGLE_LINE = 500;
export const TEXT_LIMIT_MULTI_LINE = 4100;
export const TEXT_LIMIT_SUMMARY = 3000;

/** A checked value ready to store (DateTime values normalised), or the reason it was refused. */
export type ValueCheck = { ok: true; value: FieldValueUnion } | { ok: false; reason: string };

const refuse = (reason: string): ValueCheck => ({ ok: false, reason });

/**
 * Checks `value` for `field` of `domainId`. `emptyValue` always passes here: whether a field may be cleared
 * depends on the template, not on the field. SingleSelect values are looked up among the field's options.
 */
export async function checkFieldValue(tx: Tx, domainId: string, field: FieldData, value: FieldValueUnion): Promise<ValueCheck> {
  const member = memberOf(value);
  if (member === 'emptyValue') return { ok: true, value: { emptyValue: {} } };
  const expected = VALUE_MEMBER[field.type];
  if (member !== expected) {
    return refuse(`a ${field.type} field takes ${expected}, not ${member ?? 'an empty union'}`);
  }
  switch (field.type) {
    case 'Text':
      return checkText(field, value.stringValue!);
    case 'Url':
      return isHttpUrl(value.stringValue!) ? { ok: true, value } : refuse('the value is not an http(s) URL');
    case 'DateTime': {
      const instant = parseInstant(value.stringValue!);
      return instant
        ? { ok: true, value: { stringValue: instant } }
        : refuse('the value is not an ISO-8601 date-time with a time zone, such as 2024-03-16T23:16:57.893Z');
    }
    case 'SingleSelect':
      return checkOption(tx, domainId, field.fieldId, value.stringValue!, value);
    case 'Number':
      return Number.isFinite(value.doubleValue) ? { ok: true, value } : refuse('the number is not finite');
    case 'Boolean':
      return typeof value.booleanValue === 'boolean' ? { ok: true, value } : refuse('the value is not a boolean');
    case 'User':
      return isUserArn(value.userArnValue!)
        ? { ok: true, value }
        : refuse('the value is not an Amazon Connect user ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/agent/{userId})');
  }
}

export function textLimit(field: FieldData): number {
  if (field.fieldId === 'summary' && field.namespace === 'System') return TEXT_LIMIT_SUMMARY;
  return field.attributes?.text?.isMultiline ? TEXT_LIMIT_MULTI_LINE : TEXT_LIMIT_SINGLE_LINE;
}

function checkText(field: FieldData, s: string): ValueCheck {
  // The system field customer_id holds a Customer Profiles profile ARN (CreateCase's documentation: "You must provide
  // the full customer profile ARN").
  if (field.fieldId === 'customer_id' && field.namespace === 'System' && !CUSTOMER_PROFILE_ARN.test(s)) {
    return refuse('the value is not a Customer Profiles profile ARN (arn:aws:profile:{region}:{account}:domains/{domainName}/profiles/{profileId})');
  }
  const limit = textLimit(field);
  // Limits count characters (Unicode code points), like the spec's length constraints.
  const length = [...s].length;
  return length > limit ? refuse(`the text has ${length} characters, more than the limit of ${limit}`) : { ok: true, value: { stringValue: s } };
}

async function checkOption(tx: Tx, domainId: string, fieldId: string, s: string, value: FieldValueUnion): Promise<ValueCheck> {
  const option = await tx.getResource<FieldOptionData>('fieldOption', optionScope(domainId, fieldId), s);
  if (!option || option.deleted) return refuse(`'${s}' is not an option of this field`);
  if (!option.data.active) return refuse(`option '${s}' is inactive`);
  return { ok: true, value };
}

function isHttpUrl(s: string): boolean {
  if (/\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const USER_ARN = /^arn:aws(?:-[a-z]+)*:connect:[a-z0-9-]+:\d{12}:instance\/[A-Za-z0-9-]+\/agent\/[A-Za-z0-9-]+$/;
const CUSTOMER_PROFILE_ARN = /^arn:aws(?:-[a-z]+)*:profile:[a-z0-9-]+:\d{12}:domains\/[^/\s]+\/profiles\/[^/\s]+$/;

export const isUserArn = (s: string) => USER_ARN.test(s);

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO-8601 instant (date, time and a zone: `Z` or an offset) as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined.
 * Values are stored in that one form so that they compare and sort as strings in search.
 */
export function parseInstant(s: string): string | undefined {
  const m = INSTANT.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec = '00'] = m;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls over impossible dates (Feb 30 → Mar 1); rebuilding the calendar date catches them.
  // (setUTCFullYear, as Date.UTC would read the years 0-99 as 1900-1999.)
  const calendar = new Date(0);
  calendar.setUTCFullYear(+y, +mo - 1, +d);
  if (calendar.getUTCFullYear() !== +y || calendar.getUTCMonth() !== +mo - 1 || calendar.getUTCDate() !== +d) return undefined;
  if (+h > 23 || +mi > 59 || +sec > 59) return undefined;
  const iso = new Date(ms).toISOString();
  // Years beyond 9999 would print with a sign and six digits: not a form callers can send back.
  return /^\d{4}-/.test(iso) ? iso : undefined;
}
