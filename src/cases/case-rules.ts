/**
 * Case rules ("case field conditions"): the stored document, the checks a rule must pass before it is stored,
 * and THE evaluator that says, for a case's values, which fields a template's rules make required or hidden and
 * which child options a parent's value allows. The evaluator is a pure function so that any client of the
 * rules (the API's enforcement, a web workspace) answers the same way; docs/case-rules.md describes it.
 */
import type {
  BooleanCondition,
  CaseRuleDetails,
  FieldOptionsCaseRule,
  FieldType,
  FieldValueUnion,
  OperandTwo,
  RuleType,
  TemplateRule,
} from '../../model/types.js';
import type { Tx } from '../store/types.js';
import { ValidationException } from '../protocol/errors.js';
import { optionScope, type FieldData, type FieldOptionData } from './records.js';
import { parseInstant } from './field-values.js';

export interface CaseRuleData {
  caseRuleId: string;
  caseRuleArn: string;
  name: string;
  description?: string;
  rule: CaseRuleDetails;
  createdTime: string;
  lastModifiedTime: string;
}

/** "A case rule can have a maximum of 5 conditions, spread across a maximum of 2 levels of nesting" (SPEC). */
export const MAX_RULE_CONDITIONS = 5;
export const MAX_NESTING_LEVELS = 2;

export function ruleTypeOf(rule: CaseRuleDetails): RuleType {
  if (rule.required) return 'Required';
  if (rule.hidden) return 'Hidden';
  return 'FieldOptions';
}

// ---------------------------------------------------------------------------------------------------------
// Validation of a rule against the domain's fields and options
// ---------------------------------------------------------------------------------------------------------

/** Which OperandTwo member can be compared with a value of each field type (`emptyValue` fits every type). */
const OPERAND_MEMBER: Record<FieldType, keyof OperandTwo> = {
  Text: 'stringValue',
  Url: 'stringValue',
  SingleSelect: 'stringValue',
  DateTime: 'stringValue',
  // OperandTwo has no user member: a User field is compared with the user ARN as a string.
  User: 'stringValue',
  Number: 'doubleValue',
  Boolean: 'booleanValue',
};

interface Leaf {
  path: string;
  fieldId: string;
  operand: OperandTwo;
}

/**
 * Throws a ValidationException naming every problem of `rule` in the domain: condition count and nesting,
 * compound conditions without a single result, referenced fields that are unknown or deleted, operand values
 * of the wrong type or naming no option, and field-option mappings that do not fit their SingleSelect fields.
 */
export async function validateCaseRule(tx: Tx, domainId: string, rule: CaseRuleDetails): Promise<void> {
  const problems: string[] = [];
  const fields = new FieldLookup(tx, domainId);
  const conditional = rule.required ? ['required', rule.required] as const : rule.hidden ? ['hidden', rule.hidden] as const : undefined;
  if (conditional) {
    const [member, { conditions }] = conditional;
    const leaves = checkConditionShape(conditions, `rule.${member}.conditions`, problems);
    for (const leaf of leaves) await checkLeaf(leaf, fields, problems);
  } else if (rule.fieldOptions) {
    await checkFieldOptions(rule.fieldOptions, fields, problems);
  }
  if (problems.length) throw new ValidationException(`Invalid case rule: ${problems.join('; ')}`);
}

/** Checks count, nesting and compound results; returns the leaf comparisons for the field checks. */
function checkConditionShape(conditions: BooleanCondition[], path: string, problems: string[]): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (list: BooleanCondition[], listPath: string, level: number) => {
    list.forEach((c, i) => {
      const at = `${listPath}[${i}]`;
      const operands = c.equalTo ?? c.notEqualTo;
      if (operands) {
        const member = c.equalTo ? 'equalTo' : 'notEqualTo';
        leaves.push({ path: `${at}.${member}`, fieldId: operands.operandOne.fieldId!, operand: operands.operandTwo });
        return;
      }
      const member = c.andAll ? 'andAll' : 'orAll';
      const inner = (c.andAll ?? c.orAll)!.conditions;
      if (level + 1 > MAX_NESTING_LEVELS) {
        problems.push(`${at}.${member} nests conditions deeper than ${MAX_NESTING_LEVELS} levels`);
        return;
      }
      if (inner.length === 0) {
        problems.push(`${at}.${member} must contain at least one condition`);
        return;
      }
      const results = new Set(compoundResults(c));
      if (results.size > 1) {
        problems.push(`${at}.${member} mixes conditions with result true and false; a compound condition has one result`);
      }
      walk(inner, `${at}.${member}.conditions`, level + 1);
    });
  };
  walk(conditions, path, 0);
  if (leaves.length > MAX_RULE_CONDITIONS) {
    problems.push(`a case rule can have at most ${MAX_RULE_CONDITIONS} conditions, found ${leaves.length}`);
  }
  return leaves;
}

async function checkLeaf(leaf: Leaf, fields: FieldLookup, problems: string[]) {
  const field = await fields.live(leaf.fieldId, `${leaf.path}.operandOne.fieldId`, problems);
  if (!field) return;
  const given = (Object.keys(leaf.operand) as (keyof OperandTwo)[]).find((k) => leaf.operand[k] !== undefined)!;
  if (given === 'emptyValue') return;
  const expected = OPERAND_MEMBER[field.type];
  if (given !== expected) {
    problems.push(`${leaf.path}.operandTwo.${given} does not fit field ${field.fieldId} of type ${field.type}, which compares with ${expected}`);
    return;
  }
  const s = leaf.operand.stringValue;
  if (field.type === 'SingleSelect' && s !== undefined && !(await fields.options(field.fieldId)).has(s)) {
    problems.push(`${leaf.path}.operandTwo.stringValue '${s}' is not an option of field ${field.fieldId}`);
  }
  if (field.type === 'DateTime' && s !== undefined && parseInstant(s) === undefined) {
    problems.push(`${leaf.path}.operandTwo.stringValue '${s}' is not an ISO-8601 date-time for field ${field.fieldId}`);
  }
}

async function checkFieldOptions(rule: FieldOptionsCaseRule, fields: FieldLookup, problems: string[]) {
  const base = 'rule.fieldOptions';
  if (!rule.parentFieldId) problems.push(`${base}.parentFieldId is required`);
  if (!rule.childFieldId) problems.push(`${base}.childFieldId is required`);
  if (!rule.parentFieldId || !rule.childFieldId) return;
  if (rule.parentFieldId === rule.childFieldId) {
    problems.push(`${base}.childFieldId must differ from parentFieldId (${rule.parentFieldId})`);
    return;
  }
  const parent = await fields.live(rule.parentFieldId, `${base}.parentFieldId`, problems);
  const child = await fields.live(rule.childFieldId, `${base}.childFieldId`, problems);
  for (const [f, role] of [[parent, 'parentFieldId'], [child, 'childFieldId']] as const) {
    if (f && f.type !== 'SingleSelect') problems.push(`${base}.${role} ${f.fieldId} is a ${f.type} field; field-option rules need SingleSelect fields`);
  }
  if (parent?.type !== 'SingleSelect' || child?.type !== 'SingleSelect') return;
  const parentOptions = await fields.options(parent.fieldId);
  const childOptions = await fields.options(child.fieldId);
  const seenParents = new Set<string>();
  rule.parentChildFieldOptionsMappings.forEach((m, i) => {
    const at = `${base}.parentChildFieldOptionsMappings[${i}]`;
    if (seenParents.has(m.parentFieldOptionValue)) {
      problems.push(`${at}.parentFieldOptionValue '${m.parentFieldOptionValue}' is mapped more than once`);
    }
    seenParents.add(m.parentFieldOptionValue);
    if (!parentOptions.has(m.parentFieldOptionValue)) {
      problems.push(`${at}.parentFieldOptionValue '${m.parentFieldOptionValue}' is not an option of field ${parent.fieldId}`);
    }
    const unknown = [...new Set(m.childFieldOptionValues.filter((v) => !childOptions.has(v)))];
    if (unknown.length) {
      problems.push(`${at}.childFieldOptionValues ${unknown.map((v) => `'${v}'`).join(', ')} are not options of field ${child.fieldId}`);
    }
  });
}

/** Per-validation cache of fields and option sets, so each is read once. */
class FieldLookup {
  private readonly optionSets = new Map<string, Set<string>>();
  constructor(
    private readonly tx: Tx,
    private readonly domainId: string,
  ) {}

  async live(fieldId: string, where: string, problems: string[]): Promise<FieldData | undefined> {
    const f = await this.tx.getResource<FieldData>('field', this.domainId, fieldId);
    if (!f) problems.push(`${where} names unknown field ${fieldId}`);
    else if (f.deleted) problems.push(`${where} names deleted field ${fieldId}`);
    else return f.data;
    return undefined;
  }

  /** Every option value of the field, active or not: inactive options still occur in existing cases. */
  async options(fieldId: string): Promise<Set<string>> {
    let set = this.optionSets.get(fieldId);
    if (!set) {
      const records = await this.tx.listResources<FieldOptionData>('fieldOption', optionScope(this.domainId, fieldId), {
        limit: Number.MAX_SAFE_INTEGER,
      });
      set = new Set(records.map((r) => r.data.value));
      this.optionSets.set(fieldId, set);
    }
    return set;
  }
}

/** The `result` of every comparison inside a compound condition, depth first. */
function compoundResults(c: BooleanCondition): boolean[] {
  const operands = c.equalTo ?? c.notEqualTo;
  if (operands) return [operands.result];
  return (c.andAll ?? c.orAll)?.conditions.flatMap(compoundResults) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// The evaluator (pure)
// ---------------------------------------------------------------------------------------------------------

/** What a template's rules say about one field of a case. */
export interface FieldRuleOutcome {
  required: boolean;
  hidden: boolean;
  /** The child values the parent's current value allows; undefined when no field-option rule restricts the field. */
  allowedOptions?: string[];
  /** Ids of the rules that made the field required, hidden, or restricted its options (for messages). */
  requiredBy: string[];
  hiddenBy: string[];
  optionsBy: string[];
}

/** A value counts as empty when it is absent, `emptyValue`, or text made only of spaces. */
export function isEmptyFieldValue(v: FieldValueUnion | undefined): boolean {
  if (!v || v.emptyValue !== undefined) return true;
  if (v.stringValue !== undefined) return v.stringValue.trim() === '';
  if (v.userArnValue !== undefined) return v.userArnValue.trim() === '';
  return v.doubleValue === undefined && v.booleanValue === undefined;
}

/** Strings are equal as written, or as instants when both are ISO-8601 date-times (DateTime values are normalised). */
function sameString(a: string, b: string): boolean {
  if (a === b) return true;
  const instant = parseInstant(a);
  return instant !== undefined && instant === parseInstant(b);
}

/** Does the case value equal the operand? Values of another member than the operand's are never equal. */
function operandEquals(value: FieldValueUnion | undefined, operand: OperandTwo): boolean {
  if (operand.emptyValue !== undefined) return isEmptyFieldValue(value);
  if (isEmptyFieldValue(value)) return false;
  if (operand.stringValue !== undefined) {
    const s = value!.stringValue ?? value!.userArnValue;
    return s !== undefined && sameString(s, operand.stringValue);
  }
  if (operand.doubleValue !== undefined) return value!.doubleValue === operand.doubleValue;
  if (operand.booleanValue !== undefined) return value!.booleanValue === operand.booleanValue;
  return false;
}

export function conditionHolds(c: BooleanCondition, values: Record<string, FieldValueUnion>): boolean {
  if (c.equalTo) return operandEquals(values[c.equalTo.operandOne.fieldId!], c.equalTo.operandTwo);
  if (c.notEqualTo) return !operandEquals(values[c.notEqualTo.operandOne.fieldId!], c.notEqualTo.operandTwo);
  if (c.andAll) return c.andAll.conditions.every((x) => conditionHolds(x, values));
  if (c.orAll) return c.orAll.conditions.some((x) => conditionHolds(x, values));
  return false;
}

/**
 * `required` / `hidden`: the result of the first condition that holds, else the default. A compound condition's
 * result is the one its comparisons carry (validation makes them agree); one without any comparison never decides.
 */
export function evaluateConditional(rule: { defaultValue: boolean; conditions: BooleanCondition[] }, values: Record<string, FieldValueUnion>): boolean {
  for (const c of rule.conditions) {
    const [result] = compoundResults(c);
    if (result !== undefined && conditionHolds(c, values)) return result;
  }
  return rule.defaultValue;
}

/**
 * The child values a field-option rule allows for the parent's current value; undefined (no restriction) when the
 * parent is empty or its value has no mapping.
 */
export function allowedChildOptions(rule: FieldOptionsCaseRule, values: Record<string, FieldValueUnion>): string[] | undefined {
  const parent = values[rule.parentFieldId!];
  if (isEmptyFieldValue(parent) || parent!.stringValue === undefined) return undefined;
  return rule.parentChildFieldOptionsMappings.find((m) => m.parentFieldOptionValue === parent!.stringValue)?.childFieldOptionValues;
}

/**
 * Evaluates a template's rule links against a case's values. `rules` holds the live rule documents by id; links to
 * rules not in it (deleted or unknown) are ignored. A required or hidden rule acts on its link's `fieldId`; a
 * field-option rule acts on its own `childFieldId`. Several rules on one field combine: required or hidden when any
 * rule says so, and the allowed options are those every restricting rule allows. Fields no rule acts on are absent.
 */
export function evaluateCaseRules(
  links: TemplateRule[],
  rules: ReadonlyMap<string, CaseRuleDetails>,
  values: Record<string, FieldValueUnion>,
): Map<string, FieldRuleOutcome> {
  const out = new Map<string, FieldRuleOutcome>();
  const outcome = (fieldId: string) => {
    let o = out.get(fieldId);
    if (!o) out.set(fieldId, (o = { required: false, hidden: false, requiredBy: [], hiddenBy: [], optionsBy: [] }));
    return o;
  };
  for (const link of links) {
    const rule = rules.get(link.caseRuleId);
    if (!rule) continue;
    if (rule.fieldOptions) {
      if (!rule.fieldOptions.parentFieldId || !rule.fieldOptions.childFieldId) continue;
      const o = outcome(rule.fieldOptions.childFieldId);
      const allowed = allowedChildOptions(rule.fieldOptions, values);
      if (allowed === undefined) continue;
      o.allowedOptions = o.allowedOptions ? o.allowedOptions.filter((v) => allowed.includes(v)) : [...new Set(allowed)];
      o.optionsBy.push(link.caseRuleId);
    } else if (link.fieldId) {
      const o = outcome(link.fieldId);
      if (rule.required && evaluateConditional(rule.required, values)) {
        o.required = true;
        o.requiredBy.push(link.caseRuleId);
      }
      if (rule.hidden && evaluateConditional(rule.hidden, values)) {
        o.hidden = true;
        o.hiddenBy.push(link.caseRuleId);
      }
    }
  }
  return out;
}

export interface CaseRuleViolation {
  fieldId: string;
  kind: 'required' | 'option';
  /** Ids of the rules broken. */
  caseRuleIds: string[];
  /** The child value outside the allowed options (kind `option`). */
  value?: string;
  allowedOptions?: string[];
}

/**
 * The violations of a case's values against the outcomes: a required field that is empty (unless a rule also
 * hides it: nobody can fill in a field they cannot see), or a child value its parent's value does not allow.
 */
export function caseRuleViolations(outcomes: Map<string, FieldRuleOutcome>, values: Record<string, FieldValueUnion>): CaseRuleViolation[] {
  const found: CaseRuleViolation[] = [];
  for (const [fieldId, o] of outcomes) {
    const v = values[fieldId];
    if (o.required && !o.hidden && isEmptyFieldValue(v)) {
      found.push({ fieldId, kind: 'required', caseRuleIds: o.requiredBy });
    }
    if (o.allowedOptions && !isEmptyFieldValue(v)) {
      const value = v!.stringValue ?? '';
      if (!o.allowedOptions.includes(value)) {
        found.push({ fieldId, kind: 'option', caseRuleIds: o.optionsBy, value, allowedOptions: o.allowedOptions });
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Loading and enforcement (store access)
// ---------------------------------------------------------------------------------------------------------

/** The live (not deleted) rule documents a template links, by id. */
export async function loadTemplateRules(tx: Tx, domainId: string, links: TemplateRule[]): Promise<Map<string, CaseRuleData>> {
  const rules = new Map<string, CaseRuleData>();
  for (const id of new Set(links.map((l) => l.caseRuleId))) {
    const r = await tx.getResource<CaseRuleData>('caseRule', domainId, id);
    if (r && !r.deleted) rules.set(id, r.data);
  }
  return rules;
}

/**
 * The links whose target field (the link's field, or a field-option rule's child) is not deleted: a deleted field
 * cannot receive values any more, so it cannot be demanded or restricted (GetTemplate hides those links too).
 */
async function linksToLiveFields(tx: Tx, domainId: string, links: TemplateRule[], rules: ReadonlyMap<string, CaseRuleDetails>): Promise<TemplateRule[]> {
  const live: TemplateRule[] = [];
  for (const link of links) {
    const target = rules.get(link.caseRuleId)?.fieldOptions?.childFieldId ?? link.fieldId;
    const field = target === undefined ? undefined : await tx.getResource<FieldData>('field', domainId, target);
    if (field && !field.deleted) live.push(link);
  }
  return live;
}

/**
 * Throws a ValidationException when the case's values after a change break a rule of its template: a field the
 * rules require is empty, or a child value lies outside what its parent's value allows. For an update (`before`
 * given) only violations the change introduces count, so a case that broke a rule added later can still receive
 * unrelated changes. Call it only when the server runs with --enforce-case-rules (ctx.enforceCaseRules).
 */
export async function enforceCaseRules(
  tx: Tx,
  domainId: string,
  template: { rules?: TemplateRule[] },
  after: Record<string, FieldValueUnion>,
  before?: Record<string, FieldValueUnion>,
): Promise<void> {
  if (!template.rules?.length) return;
  const docs = await loadTemplateRules(tx, domainId, template.rules);
  const details = new Map([...docs].map(([id, d]) => [id, d.rule] as const));
  const links = await linksToLiveFields(tx, domainId, template.rules, details);
  const check = (values: Record<string, FieldValueUnion>) => caseRuleViolations(evaluateCaseRules(links, details, values), values);
  const key = (v: CaseRuleViolation) => `${v.kind}/${v.fieldId}/${v.value ?? ''}`;
  const existing = new Set(before ? check(before).map(key) : []);
  const introduced = check(after).filter((v) => !existing.has(key(v)));
  if (introduced.length === 0) return;
  const ruleNames = (ids: string[]) => ids.map((id) => `'${docs.get(id)!.name}' (${id})`).join(', ');
  const messages = introduced.map((v) =>
    v.kind === 'required'
      ? `field ${v.fieldId} is required by case rule ${ruleNames(v.caseRuleIds)} but has no value`
      : `value '${v.value}' of field ${v.fieldId} is not allowed by case rule ${ruleNames(v.caseRuleIds)} (allowed: ${v.allowedOptions!.join(', ') || 'none'})`,
  );
  throw new ValidationException(`The case breaks case rules of its template: ${messages.join('; ')}`);
}
