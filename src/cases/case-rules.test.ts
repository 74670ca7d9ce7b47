import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BooleanCondition, CaseRuleDetails, FieldValueUnion, OperandTwo } from '../../model/types.js';
import {
  allowedChildOptions,
  caseRuleViolations,
  conditionHolds,
  evaluateCaseRules,
  evaluateConditional,
  isEmptyFieldValue,
} from './case-rules.js';

const eq = (fieldId: string, operandTwo: OperandTwo, result = true): BooleanCondition => ({
  equalTo: { operandOne: { fieldId }, operandTwo, result },
});
const ne = (fieldId: string, operandTwo: OperandTwo, result = true): BooleanCondition => ({
  notEqualTo: { operandOne: { fieldId }, operandTwo, result },
});
const s = (stringValue: string): FieldValueUnion => ({ stringValue });

describe('case rule evaluator', () => {
  test('empty values: absent, emptyValue and blank text are empty; false and 0 are values', () => {
    assert.equal(isEmptyFieldValue(undefined), true);
    assert.equal(isEmptyFieldValue({ emptyValue: {} }), true);
    assert.equal(isEmptyFieldValue(s('  ')), true);
    assert.equal(isEmptyFieldValue({ booleanValue: false }), false);
    assert.equal(isEmptyFieldValue({ doubleValue: 0 }), false);
    assert.equal(isEmptyFieldValue(s('x')), false);
  });

  test('equalTo / notEqualTo compare by member; a value of another member is never equal', () => {
    const values = { status: s('closed'), amount: { doubleValue: 12.5 }, vip: { booleanValue: false }, owner: { userArnValue: 'arn:u' } };
    assert.equal(conditionHolds(eq('status', { stringValue: 'closed' }), values), true);
    assert.equal(conditionHolds(eq('status', { stringValue: 'open' }), values), false);
    assert.equal(conditionHolds(ne('status', { stringValue: 'open' }), values), true);
    assert.equal(conditionHolds(eq('amount', { doubleValue: 12.5 }), values), true);
    assert.equal(conditionHolds(eq('amount', { stringValue: '12.5' }), values), false);
    assert.equal(conditionHolds(eq('vip', { booleanValue: false }), values), true);
    assert.equal(conditionHolds(eq('owner', { stringValue: 'arn:u' }), values), true, 'User values compare with stringValue');
    assert.equal(conditionHolds(eq('missing', { stringValue: 'x' }), values), false);
    assert.equal(conditionHolds(ne('missing', { stringValue: 'x' }), values), true);
  });

  test('emptyValue operand matches absent and cleared fields only', () => {
    assert.equal(conditionHolds(eq('f', { emptyValue: {} }), {}), true);
    assert.equal(conditionHolds(eq('f', { emptyValue: {} }), { f: { emptyValue: {} } }), true);
    assert.equal(conditionHolds(eq('f', { emptyValue: {} }), { f: { booleanValue: false } }), false);
    assert.equal(conditionHolds(ne('f', { emptyValue: {} }), { f: s('x') }), true);
  });

  test('date-times compare as instants', () => {
    const values = { due: s('2024-03-16T23:16:57.000Z') };
    assert.equal(conditionHolds(eq('due', { stringValue: '2024-03-17T00:16:57+01:00' }), values), true);
    assert.equal(conditionHolds(eq('due', { stringValue: '2024-03-16T23:16:58Z' }), values), false);
  });

  test('andAll / orAll, nested', () => {
    const values = { a: s('1'), b: s('2') };
    const and = (...conditions: BooleanCondition[]): BooleanCondition => ({ andAll: { conditions } });
    const or = (...conditions: BooleanCondition[]): BooleanCondition => ({ orAll: { conditions } });
    assert.equal(conditionHolds(and(eq('a', { stringValue: '1' }), eq('b', { stringValue: '2' })), values), true);
    assert.equal(conditionHolds(and(eq('a', { stringValue: '1' }), eq('b', { stringValue: '3' })), values), false);
    assert.equal(conditionHolds(or(eq('a', { stringValue: '9' }), eq('b', { stringValue: '2' })), values), true);
    assert.equal(conditionHolds(or(eq('a', { stringValue: '9' }), and(eq('a', { stringValue: '1' }), ne('b', { emptyValue: {} }))), values), true);
    assert.equal(conditionHolds(or(), values), false);
  });

  test('the first condition that holds decides, else the default', () => {
    const rule = {
      defaultValue: false,
      conditions: [eq('status', { stringValue: 'open' }, false), eq('reason', { stringValue: 'refund' }, true)],
    };
    assert.equal(evaluateConditional(rule, { reason: s('refund') }), true);
    assert.equal(evaluateConditional(rule, { status: s('open'), reason: s('refund') }), false, 'first holding condition wins');
    assert.equal(evaluateConditional(rule, { reason: s('other') }), false, 'default');
    assert.equal(evaluateConditional({ defaultValue: true, conditions: [] }, {}), true);
    const compound = { defaultValue: false, conditions: [{ andAll: { conditions: [eq('a', { stringValue: 'x' }), eq('b', { stringValue: 'y' })] } }] };
    assert.equal(evaluateConditional(compound, { a: s('x'), b: s('y') }), true, 'a compound carries its comparisons\' result');
    assert.equal(evaluateConditional(compound, { a: s('x') }), false);
  });

  test('allowed child options follow the parent value; empty or unmapped parents do not restrict', () => {
    const rule = {
      parentFieldId: 'country',
      childFieldId: 'state',
      parentChildFieldOptionsMappings: [
        { parentFieldOptionValue: 'us', childFieldOptionValues: ['ca', 'ny'] },
        { parentFieldOptionValue: 'lu', childFieldOptionValues: [] },
      ],
    };
    assert.deepEqual(allowedChildOptions(rule, { country: s('us') }), ['ca', 'ny']);
    assert.deepEqual(allowedChildOptions(rule, { country: s('lu') }), []);
    assert.equal(allowedChildOptions(rule, { country: s('fr') }), undefined);
    assert.equal(allowedChildOptions(rule, {}), undefined);
  });

  test('evaluateCaseRules applies links: required/hidden act on the link field, field options on the child; rules combine', () => {
    const rules = new Map<string, CaseRuleDetails>([
      ['r-req', { required: { defaultValue: false, conditions: [eq('status', { stringValue: 'closed' })] } }],
      ['r-req-always', { required: { defaultValue: true, conditions: [] } }],
      ['r-hide', { hidden: { defaultValue: true, conditions: [eq('type', { stringValue: 'refund' }, false)] } }],
      [
        'r-opt-1',
        { fieldOptions: { parentFieldId: 'country', childFieldId: 'state', parentChildFieldOptionsMappings: [{ parentFieldOptionValue: 'us', childFieldOptionValues: ['ca', 'ny', 'tx'] }] } },
      ],
      [
        'r-opt-2',
        { fieldOptions: { parentFieldId: 'tier', childFieldId: 'state', parentChildFieldOptionsMappings: [{ parentFieldOptionValue: 'gold', childFieldOptionValues: ['ny', 'tx', 'wa'] }] } },
      ],
    ]);
    const links = [
      { caseRuleId: 'r-req', fieldId: 'reason' },
      { caseRuleId: 'r-hide', fieldId: 'amount' },
      { caseRuleId: 'r-req-always', fieldId: 'amount' },
      { caseRuleId: 'r-opt-1', fieldId: 'state' },
      { caseRuleId: 'r-opt-2' },
      { caseRuleId: 'r-deleted', fieldId: 'reason' },
    ];
    const values = { status: s('closed'), country: s('us'), tier: s('gold'), state: s('ca') };
    const out = evaluateCaseRules(links, rules, values);
    assert.deepEqual(out.get('reason'), { required: true, hidden: false, requiredBy: ['r-req'], hiddenBy: [], optionsBy: [] });
    assert.equal(out.get('amount')!.hidden, true);
    assert.equal(out.get('amount')!.required, true);
    assert.deepEqual(out.get('state')!.allowedOptions, ['ny', 'tx'], 'intersection of both rules');
    assert.deepEqual(out.get('state')!.optionsBy, ['r-opt-1', 'r-opt-2']);
    assert.equal(out.has('status'), false);

    const violations = caseRuleViolations(out, values);
    assert.deepEqual(
      violations.map((v) => [v.kind, v.fieldId, v.value]),
      [
        ['required', 'reason', undefined],
        ['option', 'state', 'ca'],
      ],
      'amount is required but hidden, so it is not demanded',
    );

    const fixed = { ...values, reason: s('late'), state: s('ny'), type: s('refund') };
    const out2 = evaluateCaseRules(links, rules, fixed);
    assert.equal(out2.get('amount')!.hidden, false);
    assert.deepEqual(
      caseRuleViolations(out2, fixed).map((v) => [v.kind, v.fieldId]),
      [['required', 'amount']],
      'once visible, the always-required amount is demanded',
    );
  });
});
