/**
 * SearchCases input checked against the domain's fields and turned into the store's CaseSearch terms
 * (docs/search.md describes the semantics). Every refusal is a ValidationException naming the input path.
 */
import type { CaseFilter, FieldFilter, FieldType, FieldValue, Sort } from '../../model/types.js';
import type { CaseCondition, Tx } from '../store/types.js';
import { ValidationException } from '../protocol/errors.js';
import { VALUE_MEMBER, memberOf } from './field-types.js';
import { parseInstant } from './field-values.js';
import type { FieldData } from './records.js';

/** Nesting and size bounds for one filter: the spec bounds each list to 10 items but not the depth. */
export const MAX_FILTER_DEPTH = 10;
export const MAX_FILTER_NODES = 500;

type Operator = keyof FieldFilter;
const RANGE_OPS: Record<string, '>' | '>=' | '<' | '<='> = {
  greaterThan: '>',
  greaterThanOrEqualTo: '>=',
  lessThan: '<',
  lessThanOrEqualTo: '<=',
};

/** Where a field's values are kept by the search index: numbers and booleans as numbers, the rest as text. */
export const columnOf = (type: FieldType): 's' | 'n' => (type === 'Number' || type === 'Boolean' ? 'n' : 's');

/** Types whose values are text that `contains` can search. */
const CONTAINS_TYPES: FieldType[] = ['Text', 'Url', 'SingleSelect', 'DateTime'];

/** Looks fields up once per request; deleted fields still resolve (their values stay searchable). */
export class FieldResolver {
  private readonly cache = new Map<string, FieldData | undefined>();

  constructor(
    private readonly tx: Tx,
    private readonly domainId: string,
  ) {}

  async get(fieldId: string, where: string): Promise<FieldData> {
    if (!this.cache.has(fieldId)) this.cache.set(fieldId, (await this.tx.getResource<FieldData>('field', this.domainId, fieldId))?.data);
    const field = this.cache.get(fieldId);
    if (!field) throw new ValidationException(`${where}: field '${fieldId}' does not exist in this domain`);
    return field;
  }
}

export async function resolveFilter(fields: FieldResolver, filter: CaseFilter): Promise<CaseCondition> {
  let nodes = 0;
  const walk = async (f: CaseFilter, where: string, depth: number): Promise<CaseCondition> => {
    if (depth > MAX_FILTER_DEPTH) throw new ValidationException(`${where}: filters nest at most ${MAX_FILTER_DEPTH} levels deep`);
    if (++nodes > MAX_FILTER_NODES) throw new ValidationException(`filter: a filter holds at most ${MAX_FILTER_NODES} filters in all`);
    const members = (Object.keys(f) as (keyof CaseFilter)[]).filter((k) => f[k] !== undefined && f[k] !== null);
    if (members.length !== 1) {
      throw new ValidationException(`${where}: exactly one of field, not, tag, andAll, orAll must be set, not ${members.length}`);
    }
    const member = members[0];
    switch (member) {
      case 'field':
        return fieldCondition(fields, f.field!, `${where}.field`);
      case 'tag': {
        const eq = f.tag!.equalTo;
        if (!eq) throw new ValidationException(`${where}.tag: equalTo must be set`);
        if (eq.key === undefined) throw new ValidationException(`${where}.tag.equalTo: key must be set`);
        return eq.value === undefined ? { kind: 'tag', key: eq.key } : { kind: 'tag', key: eq.key, value: eq.value };
      }
      case 'not':
        return { kind: 'not', condition: await walk(f.not!, `${where}.not`, depth + 1) };
      case 'andAll':
      case 'orAll': {
        const list = f[member]!;
        const conditions: CaseCondition[] = [];
        for (let i = 0; i < list.length; i++) {
          const item = list[i];
          if (!item) throw new ValidationException(`${where}.${member}[${i}]: must be a filter, not null`);
          conditions.push(await walk(item, `${where}.${member}[${i}]`, depth + 1));
        }
        return { kind: member === 'andAll' ? 'and' : 'or', conditions };
      }
    }
  };
  return walk(filter, 'filter', 1);
}

async function fieldCondition(fields: FieldResolver, ff: FieldFilter, where: string): Promise<CaseCondition> {
  const ops = (Object.keys(ff) as Operator[]).filter((k) => ff[k] !== undefined && ff[k] !== null);
  if (ops.length !== 1) {
    throw new ValidationException(`${where}: exactly one of equalTo, contains, greaterThan, greaterThanOrEqualTo, lessThan, lessThanOrEqualTo must be set, not ${ops.length}`);
  }
  const op = ops[0];
  const fv = ff[op] as FieldValue;
  const at = `${where}.${op}`;
  const field = await fields.get(fv.id, at);
  const member = memberOf(fv.value ?? {});
  if (member === 'emptyValue') {
    if (op !== 'equalTo') throw new ValidationException(`${at}: emptyValue can only be used with equalTo`);
    return { kind: 'empty', fieldId: field.fieldId };
  }
  const expected = VALUE_MEMBER[field.type];
  if (member !== expected) {
    throw new ValidationException(`${at}: field '${fv.id}' is of type ${field.type} and is compared with ${expected}, not ${member ?? 'an empty value union'}`);
  }
  const raw = fv.value[member]!;

  if (op === 'contains') {
    if (!CONTAINS_TYPES.includes(field.type)) {
      throw new ValidationException(`${at}: contains applies to Text, Url, SingleSelect and DateTime fields, not to ${field.type} field '${fv.id}'`);
    }
    return { kind: 'contains', fieldId: field.fieldId, text: (raw as string).toLowerCase() };
  }
  if (op !== 'equalTo' && field.type === 'Boolean') {
    throw new ValidationException(`${at}: Boolean field '${fv.id}' has no order; use equalTo`);
  }
  let value: string | number;
  switch (field.type) {
    case 'Number':
      if (!Number.isFinite(raw)) throw new ValidationException(`${at}: doubleValue must be a finite number`);
      value = raw as number;
      break;
    case 'Boolean':
      value = raw ? 1 : 0;
      break;
    case 'DateTime': {
      // Normalised as stored DateTime values are, so that they compare as text in time order.
      const instant = parseInstant(raw as string);
      if (!instant) {
        throw new ValidationException(`${at}: '${raw}' is not an ISO-8601 date-time with a time zone, such as 2024-03-16T23:16:57.893Z`);
      }
      value = instant;
      break;
    }
    default:
      value = raw as string;
  }
  return { kind: 'compare', fieldId: field.fieldId, op: op === 'equalTo' ? '=' : RANGE_OPS[op], column: columnOf(field.type), value };
}

export async function resolveSorts(fields: FieldResolver, sorts: Sort[]) {
  const out: { fieldId: string; column: 's' | 'n'; descending: boolean }[] = [];
  for (let i = 0; i < sorts.length; i++) {
    const field = await fields.get(sorts[i].fieldId, `sorts[${i}].fieldId`);
    out.push({ fieldId: field.fieldId, column: columnOf(field.type), descending: sorts[i].sortOrder === 'Desc' });
  }
  return out;
}

/** The words of a searchTerm, lower-cased, each once; whitespace separates them. */
export const searchWords = (term: string | undefined): string[] => [...new Set((term ?? '').toLowerCase().split(/\s+/).filter(Boolean))];
