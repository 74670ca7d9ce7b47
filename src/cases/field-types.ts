import type { FieldType, FieldValueUnion } from '../../model/types.js';

/** The FieldValueUnion member that carries a value of each field type (FACTS.md "Field types and values"). */
export const VALUE_MEMBER: Record<FieldType, keyof FieldValueUnion> = {
  Text: 'stringValue',
  Url: 'stringValue',
  SingleSelect: 'stringValue',
  DateTime: 'stringValue',
  Number: 'doubleValue',
  Boolean: 'booleanValue',
  User: 'userArnValue',
};

/** The member a union value uses (`emptyValue` included), or undefined when none is set. */
export function memberOf(v: FieldValueUnion): keyof FieldValueUnion | undefined {
  return (Object.keys(v) as (keyof FieldValueUnion)[]).find((k) => v[k] !== undefined);
}

export const isEmptyValue = (v: FieldValueUnion) => v.emptyValue !== undefined;
