/**
 * The fields of a case laid out by its template's layout, edited in place. The template's case rules are applied
 * live on the values being edited through the server's own evaluator (src/cases/case-rules.ts): hidden fields
 * disappear, required ones are marked and checked, and option lists shrink to what the parent's value allows.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { CaseRuleDetails, FieldOption, GetTemplateResponse } from '@aws-sdk/client-connectcases';
import type { CaseRuleDetails as ModelRuleDetails, FieldValueUnion, TemplateRule } from '../../model/types.js';
import { caseRuleViolations, evaluateCaseRules, isEmptyFieldValue, type CaseRuleViolation, type FieldRuleOutcome } from '../../src/cases/case-rules.js';
import { errorMessage, type Value } from './api';
import { FieldControl } from './FieldControl';
import { loadFields, loadOptions, loadRules, useLoad, type Section } from './meta';
import { useWorkspace } from './App';

export interface CaseFormProps {
  domainId: string;
  template: GetTemplateResponse;
  sections: { title: string; sections: Section[] }[];
  initial: Record<string, Value>;
  submitLabel: string;
  /** Sends the changed values; throws the API's error. */
  onSubmit: (changes: { id: string; value: Value }[]) => Promise<void>;
  /** New cases send every filled-in field; existing cases only the changed ones. */
  creating?: boolean;
}

const same = (a: Value | undefined, b: Value | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Splits an API error into the parts that name a field (shown next to it) and the rest. */
function errorsByField(message: string, fieldIds: string[]): { byField: Record<string, string>; general: string } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const part of message.split('; ')) {
    const named = fieldIds.filter((id) => new RegExp(`(^|[^\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(part));
    if (named.length === 0) general.push(part);
    for (const id of named) byField[id] = byField[id] ? `${byField[id]}; ${part}` : part;
  }
  return { byField, general: general.join('; ') };
}

export function CaseForm({ domainId, template, sections, initial, submitLabel, onSubmit, creating }: CaseFormProps) {
  const { client, userArn } = useWorkspace();
  const fieldIds = useMemo(() => [...new Set(sections.flatMap((g) => g.sections.flatMap((s) => s.fieldIds)))], [sections]);
  const links = (template.rules ?? []) as TemplateRule[];
  const meta = useLoad(
    async () => {
      const [fields, rules] = await Promise.all([
        loadFields(client, domainId),
        links.length ? loadRules(client, domainId, links.map((l) => l.caseRuleId)) : Promise.resolve(new Map<string, CaseRuleDetails>()),
      ]);
      const selects = fieldIds.filter((id) => fields.get(id)?.type === 'SingleSelect');
      const options = Object.fromEntries(await Promise.all(selects.map(async (id) => [id, await loadOptions(client, domainId, id)] as const)));
      return { fields, rules, options };
    },
    [domainId, template.templateId, fieldIds.join(',')],
  );
  const [draft, setDraft] = useState<Record<string, Value>>(initial);
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string }>({ byField: {}, general: '' });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(initial), [initial]);

  if (meta.error) return <p role="alert" className="error">{meta.error}</p>;
  if (!meta.data) return <p className="loading">Loading fields…</p>;
  const { fields, rules, options } = meta.data;

  const outcomes: Map<string, FieldRuleOutcome> = evaluateCaseRules(links, rules as ReadonlyMap<string, ModelRuleDetails>, draft as Record<string, FieldValueUnion>);
  const templateRequired = new Set((template.requiredFields ?? []).map((r) => r.fieldId!));
  const isRequired = (id: string) => templateRequired.has(id) || outcomes.get(id)?.required === true;
  const isHidden = (id: string) => outcomes.get(id)?.hidden === true;
  const changed = fieldIds.filter((id) => fields.has(id) && !isHidden(id) && !same(draft[id], initial[id]) && !(creating && isEmptyFieldValue(draft[id])));

  const optionsFor = (id: string): FieldOption[] => {
    const active = (options[id] ?? []).filter((o) => o.active);
    const allowed = outcomes.get(id)?.allowedOptions;
    return allowed ? active.filter((o) => allowed.includes(o.value!)) : active;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    // The same checks the server makes with --enforce-case-rules, made here whether or not it enforces them. Like
    // the server, an edit is refused only for problems it introduces: a case that broke a rule added later can
    // still receive unrelated changes.
    const local: Record<string, string> = {};
    const values = (v: Record<string, Value>) => v as Record<string, FieldValueUnion>;
    const key = (v: CaseRuleViolation) => `${v.kind}/${v.fieldId}/${v.value ?? ''}`;
    const before = new Set(creating ? [] : caseRuleViolations(evaluateCaseRules(links, rules as ReadonlyMap<string, ModelRuleDetails>, values(initial)), values(initial)).map(key));
    for (const id of templateRequired) {
      if (fields.has(id) && isEmptyFieldValue(draft[id]) && (creating || !isEmptyFieldValue(initial[id]))) local[id] = 'This field is required by the template';
    }
    for (const v of caseRuleViolations(outcomes, values(draft))) {
      if (!fields.has(v.fieldId) || before.has(key(v))) continue;
      local[v.fieldId] = v.kind === 'required' ? 'This field is required by a case rule' : `'${v.value}' is not allowed here (allowed: ${v.allowedOptions!.join(', ') || 'none'})`;
    }
    if (Object.keys(local).length) {
      setErrors({ byField: local, general: 'Some fields need attention' });
      return;
    }
    if (!changed.length) return;
    setBusy(true);
    try {
      await onSubmit(changed.map((id) => ({ id, value: draft[id] })));
      setErrors({ byField: {}, general: '' });
      setSaved(true);
    } catch (err) {
      setErrors(errorsByField(errorMessage(err), fieldIds));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="case-form" onSubmit={submit} noValidate>
      {sections.map((group) => (
        <section key={group.title} className={`panel panel-${group.title.toLowerCase().replace(/\W+/g, '-')}`} aria-label={group.title}>
          <h2>{group.title}</h2>
          {group.sections.map((s, i) => (
            <fieldset key={`${s.name}-${i}`}>
              {s.name && <legend>{s.name}</legend>}
              <div className="fields">
                {s.fieldIds
                  .filter((id) => fields.has(id) && !isHidden(id))
                  .map((id) => (
                    <FieldControl
                      key={id}
                      field={fields.get(id)!}
                      value={draft[id]}
                      onChange={(v) => {
                        setSaved(false);
                        setDraft((d) => ({ ...d, [id]: v }));
                        // The message was about the old value.
                        if (errors.byField[id]) setErrors((e) => ({ ...e, byField: { ...e.byField, [id]: '' } }));
                      }}
                      options={fields.get(id)!.type === 'SingleSelect' ? optionsFor(id) : undefined}
                      required={isRequired(id)}
                      error={errors.byField[id]}
                      me={userArn}
                    />
                  ))}
              </div>
            </fieldset>
          ))}
        </section>
      ))}
      <div className="form-actions">
        {errors.general && <p role="alert" className="error">{errors.general}</p>}
        {saved && <p role="status" className="ok">Saved</p>}
        <button type="submit" disabled={busy || (!creating && changed.length === 0)}>
          {busy ? 'Saving…' : creating ? submitLabel : `${submitLabel}${changed.length ? ` (${changed.length})` : ''}`}
        </button>
      </div>
    </form>
  );
}

