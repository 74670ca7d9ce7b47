/**
 * Admin pages: fields and their options, layouts, templates (with rules and tag propagation) and case rules. Nested
 * structures (layout content, rule details, template rule links) are edited as JSON, exactly as the API takes them.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseRuleCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateTemplateCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  BatchGetCaseRuleCommand,
  ListCaseRulesCommand,
  ListLayoutsCommand,
  UpdateCaseRuleCommand,
  UpdateLayoutCommand,
  UpdateTemplateCommand,
  type FieldType,
} from '@aws-sdk/client-connectcases';
import { errorMessage } from './api';
import { useWorkspace } from './App';
import { forgetDomainMetadata, loadFields, loadOptions, loadTemplates, useLoad } from './meta';
import { Link } from './router';

const SECTIONS = { fields: 'Fields', layouts: 'Layouts', templates: 'Templates', rules: 'Case rules' } as const;
const FIELD_TYPES: FieldType[] = ['Text', 'Number', 'Boolean', 'DateTime', 'SingleSelect', 'Url', 'User'];

export function Admin({ domainId, section }: { domainId: string; section: string }) {
  const base = `/d/${encodeURIComponent(domainId)}/admin`;
  let page: ReactNode;
  if (section === 'layouts') page = <Layouts domainId={domainId} />;
  else if (section === 'templates') page = <Templates domainId={domainId} />;
  else if (section === 'rules') page = <CaseRules domainId={domainId} />;
  else page = <Fields domainId={domainId} />;
  return (
    <section className="admin">
      <h1>Admin</h1>
      <nav aria-label="Admin sections" className="tabs">
        {Object.entries(SECTIONS).map(([key, label]) => (
          <Link key={key} href={`${base}/${key}`} aria-current={section === key ? 'page' : undefined}>{label}</Link>
        ))}
      </nav>
      {page}
    </section>
  );
}

/** Runs an admin change, shows its error or success, and drops cached metadata so every page sees the change. */
function useAction(domainId: string, after: () => void) {
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const run = async (label: string, fn: () => Promise<unknown>) => {
    setMessage({});
    try {
      await fn();
      forgetDomainMetadata(domainId);
      setMessage({ ok: label });
      after();
    } catch (e) {
      setMessage({ error: errorMessage(e) });
    }
  };
  const view = (
    <>
      {message.error && <p role="alert" className="error">{message.error}</p>}
      {message.ok && <p role="status" className="ok">{message.ok}</p>}
    </>
  );
  return { run, view };
}

function parseJson(label: string, text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${label} is not valid JSON: ${(e as Error).message}`);
  }
}

function Fields({ domainId }: { domainId: string }) {
  const { client } = useWorkspace();
  const fields = useLoad(() => loadFields(client, domainId), [domainId]);
  const [name, setName] = useState('');
  const [type, setType] = useState<FieldType>('Text');
  const [description, setDescription] = useState('');
  const [open, setOpen] = useState<string>();
  const action = useAction(domainId, fields.reload);
  const create = (e: FormEvent) => {
    e.preventDefault();
    action.run(`Field ${name} created`, () => client.send(new CreateFieldCommand({ domainId, name, type, description: description || undefined })));
  };
  return (
    <>
      <form onSubmit={create} className="inline-form" aria-label="New field">
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value as FieldType)}>
            {FIELD_TYPES.map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <label>Description <input value={description} onChange={(e) => setDescription(e.target.value)} /></label>
        <button type="submit">Create field</button>
      </form>
      {action.view}
      {fields.error && <p role="alert" className="error">{fields.error}</p>}
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Type</th><th scope="col">Namespace</th><th scope="col">Options</th></tr></thead>
        <tbody>
          {[...(fields.data?.values() ?? [])].map((f) => (
            <tr key={f.fieldId}>
              <td>{f.name}</td>
              <td><code>{f.fieldId}</code></td>
              <td>{f.type}</td>
              <td>{f.namespace}</td>
              <td>
                {f.type === 'SingleSelect' && (
                  <button type="button" className="link" onClick={() => setOpen(open === f.fieldId ? undefined : f.fieldId)} aria-expanded={open === f.fieldId}>
                    {open === f.fieldId ? 'Hide options' : `Options of ${f.name}`}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <FieldOptions key={open} domainId={domainId} fieldId={open} name={fields.data?.get(open)?.name ?? open} />}
    </>
  );
}

function FieldOptions({ domainId, fieldId, name }: { domainId: string; fieldId: string; name: string }) {
  const { client } = useWorkspace();
  const options = useLoad(() => loadOptions(client, domainId, fieldId), [domainId, fieldId]);
  const [optName, setOptName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction(domainId, options.reload);
  const put = (label: string, opts: { name: string; value: string; active: boolean }[]) =>
    action.run(label, () => client.send(new BatchPutFieldOptionsCommand({ domainId, fieldId, options: opts })));
  return (
    <section aria-label={`Options of ${name}`} className="sub-panel">
      <h2>Options of {name}</h2>
      <ul>
        {(options.data ?? []).map((o) => (
          <li key={o.value}>
            {o.name} <code>{o.value}</code> {o.active ? '' : <em>(inactive)</em>}{' '}
            <button type="button" className="link" onClick={() => put(`Option ${o.value} updated`, [{ name: o.name!, value: o.value!, active: !o.active }])}>
              {o.active ? 'Deactivate' : 'Activate'} {o.name}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          put(`Option ${value} added`, [{ name: optName, value, active: true }]);
        }}
      >
        <label>Option name <input value={optName} onChange={(e) => setOptName(e.target.value)} required /></label>
        <label>Option value <input value={value} onChange={(e) => setValue(e.target.value)} required /></label>
        <button type="submit">Add option</button>
      </form>
      {action.view}
    </section>
  );
}

/** A list of resources, and a form that creates one or edits the one picked. */
function JsonEditorPage<T>(props: {
  domainId: string;
  noun: string;
  items: { id: string; name: string }[] | undefined;
  error?: string;
  load: (id: string) => Promise<T>;
  empty: T;
  render: (value: T, set: (v: T) => void) => ReactNode;
  save: (value: T, id?: string) => Promise<unknown>;
  reload: () => void;
}) {
  const [editing, setEditing] = useState<string>();
  const [value, setValue] = useState<T>(props.empty);
  const action = useAction(props.domainId, props.reload);
  const pick = async (id?: string) => {
    setEditing(id);
    setValue(id ? await props.load(id) : props.empty);
  };
  return (
    <div className="editor-page">
      <ul className="resource-list">
        {(props.items ?? []).map((i) => (
          <li key={i.id}>
            <button type="button" className="link" onClick={() => pick(i.id)} aria-pressed={editing === i.id}>{i.name}</button> <code className="muted">{i.id}</code>
          </li>
        ))}
        <li><button type="button" className="link" onClick={() => pick(undefined)}>+ New {props.noun}</button></li>
      </ul>
      {props.error && <p role="alert" className="error">{props.error}</p>}
      <form
        className="resource-form"
        aria-label={editing ? `Edit ${props.noun}` : `New ${props.noun}`}
        onSubmit={(e) => {
          e.preventDefault();
          action.run(editing ? `${props.noun} saved` : `${props.noun} created`, () => props.save(value, editing));
        }}
      >
        <h2>{editing ? `Edit ${props.noun}` : `New ${props.noun}`}</h2>
        {props.render(value, setValue)}
        <button type="submit">{editing ? `Save ${props.noun}` : `Create ${props.noun}`}</button>
        {action.view}
      </form>
    </div>
  );
}

/** The ids JSON editors need, next to the names people know the fields by. */
function FieldIdReference({ domainId }: { domainId: string }) {
  const { client } = useWorkspace();
  const fields = useLoad(() => loadFields(client, domainId), [domainId]);
  return (
    <details className="field-ids">
      <summary>Field ids</summary>
      <table>
        <thead><tr><th scope="col">Field</th><th scope="col">Id</th><th scope="col">Type</th></tr></thead>
        <tbody>
          {[...(fields.data?.values() ?? [])].map((f) => (
            <tr key={f.fieldId}><td>{f.name}</td><td><code>{f.fieldId}</code></td><td>{f.type}</td></tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

interface LayoutDraft {
  name: string;
  content: string;
}
const LAYOUT_EXAMPLE = JSON.stringify(
  { basic: { topPanel: { sections: [{ fieldGroup: { name: 'Summary', fields: [{ id: 'customer_id' }, { id: 'assigned_user' }] } }] }, moreInfo: { sections: [] } } },
  null,
  2,
);

function Layouts({ domainId }: { domainId: string }) {
  const { client } = useWorkspace();
  const list = useLoad(async () => (await client.send(new ListLayoutsCommand({ domainId, maxResults: 100 }))).layouts ?? [], [domainId]);
  return (
    <JsonEditorPage<LayoutDraft>
      domainId={domainId}
      noun="layout"
      items={list.data?.map((l) => ({ id: l.layoutId!, name: l.name! }))}
      error={list.error}
      reload={list.reload}
      empty={{ name: '', content: LAYOUT_EXAMPLE }}
      load={async (layoutId) => {
        const l = await client.send(new GetLayoutCommand({ domainId, layoutId }));
        return { name: l.name!, content: JSON.stringify(l.content, null, 2) };
      }}
      render={(v, set) => (
        <>
          <label>Name <input value={v.name} onChange={(e) => set({ ...v, name: e.target.value })} required /></label>
          <label>Content (JSON: top panel and more-info sections of field ids; title and status cannot be placed)
            <textarea rows={14} className="code" value={v.content} onChange={(e) => set({ ...v, content: e.target.value })} />
          </label>
          <FieldIdReference domainId={domainId} />
        </>
      )}
      save={(v, layoutId) => {
        const content = parseJson('Content', v.content) as never;
        return layoutId
          ? client.send(new UpdateLayoutCommand({ domainId, layoutId, name: v.name, content }))
          : client.send(new CreateLayoutCommand({ domainId, name: v.name, content }));
      }}
    />
  );
}

interface TemplateDraft {
  name: string;
  description: string;
  layoutId: string;
  status: 'Active' | 'Inactive';
  requiredFields: string[];
  rules: { caseRuleId: string; fieldId: string }[];
  tagPropagation: string;
}

function Templates({ domainId }: { domainId: string }) {
  const { client } = useWorkspace();
  const list = useLoad(() => loadTemplates(client, domainId), [domainId]);
  const choices = useLoad(async () => {
    const [layouts, rules, fields] = await Promise.all([
      client.send(new ListLayoutsCommand({ domainId, maxResults: 100 })),
      client.send(new ListCaseRulesCommand({ domainId, maxResults: 100 })),
      loadFields(client, domainId),
    ]);
    return { layouts: layouts.layouts ?? [], rules: (rules.caseRules ?? []).flatMap((r) => (r ? [r] : [])), fields: [...fields.values()] };
  }, [domainId]);
  const fields = choices.data?.fields ?? [];
  const rules = choices.data?.rules ?? [];
  return (
    <JsonEditorPage<TemplateDraft>
      domainId={domainId}
      noun="template"
      items={list.data?.map((t) => ({ id: t.templateId!, name: `${t.name} (${t.status})` }))}
      error={list.error ?? choices.error}
      reload={list.reload}
      empty={{ name: '', description: '', layoutId: '', status: 'Active', requiredFields: [], rules: [], tagPropagation: '[]' }}
      load={async (templateId) => {
        const t = await client.send(new GetTemplateCommand({ domainId, templateId }));
        return {
          name: t.name!,
          description: t.description ?? '',
          layoutId: t.layoutConfiguration?.defaultLayout ?? '',
          status: t.status ?? 'Active',
          requiredFields: (t.requiredFields ?? []).map((r) => r.fieldId!),
          rules: (t.rules ?? []).map((r) => ({ caseRuleId: r.caseRuleId!, fieldId: r.fieldId ?? '' })),
          tagPropagation: JSON.stringify(t.tagPropagationConfigurations ?? [], null, 2),
        };
      }}
      render={(v, set) => {
        const setRule = (i: number, change: Partial<TemplateDraft['rules'][number]>) =>
          set({ ...v, rules: v.rules.map((r, j) => (j === i ? { ...r, ...change } : r)) });
        return (
          <>
            <label>Name <input value={v.name} onChange={(e) => set({ ...v, name: e.target.value })} required /></label>
            <label>Description <input value={v.description} onChange={(e) => set({ ...v, description: e.target.value })} /></label>
            <label>
              Layout
              <select value={v.layoutId} onChange={(e) => set({ ...v, layoutId: e.target.value })}>
                <option value="">(none)</option>
                {(choices.data?.layouts ?? []).map((l) => <option key={l.layoutId} value={l.layoutId}>{l.name}</option>)}
              </select>
            </label>
            <label>
              Status
              <select value={v.status} onChange={(e) => set({ ...v, status: e.target.value as TemplateDraft['status'] })}>
                <option>Active</option>
                <option>Inactive</option>
              </select>
            </label>
            <label>
              Required fields (Ctrl/Shift + click or arrows + Space to pick several)
              <select multiple size={Math.min(8, Math.max(3, fields.length))} value={v.requiredFields} onChange={(e) => set({ ...v, requiredFields: [...e.target.selectedOptions].map((o) => o.value) })}>
                {fields.map((f) => <option key={f.fieldId} value={f.fieldId}>{f.name}</option>)}
              </select>
            </label>
            <fieldset>
              <legend>Case rules</legend>
              {v.rules.length === 0 && <p className="muted">No rule applies to cases of this template.</p>}
              {v.rules.map((r, i) => {
                const type = rules.find((x) => x.caseRuleId === r.caseRuleId)?.ruleType;
                return (
                  <div key={i} className="rule-link">
                    <label>
                      Rule {i + 1}
                      <select value={r.caseRuleId} onChange={(e) => setRule(i, { caseRuleId: e.target.value })}>
                        {!rules.some((x) => x.caseRuleId === r.caseRuleId) && <option value={r.caseRuleId}>{r.caseRuleId}</option>}
                        {rules.map((x) => <option key={x.caseRuleId} value={x.caseRuleId}>{x.name} ({x.ruleType})</option>)}
                      </select>
                    </label>
                    {type === 'FieldOptions' ? (
                      <p className="muted">acts on the child field the rule names</p>
                    ) : (
                      <label>
                        applies to field
                        <select value={r.fieldId} onChange={(e) => setRule(i, { fieldId: e.target.value })}>
                          <option value="">—</option>
                          {fields.map((f) => <option key={f.fieldId} value={f.fieldId}>{f.name}</option>)}
                        </select>
                      </label>
                    )}
                    <button type="button" onClick={() => set({ ...v, rules: v.rules.filter((_, j) => j !== i) })}>Remove rule {i + 1}</button>
                  </div>
                );
              })}
              <button type="button" disabled={rules.length === 0} onClick={() => set({ ...v, rules: [...v.rules, { caseRuleId: rules[0].caseRuleId!, fieldId: '' }] })}>
                Add a case rule
              </button>
            </fieldset>
            <label>Tag propagation (JSON list of {'{'}"resourceType": "Cases", "tagMap": {'{'}"key": "value"{'}}'})
              <textarea rows={4} className="code" value={v.tagPropagation} onChange={(e) => set({ ...v, tagPropagation: e.target.value })} />
            </label>
          </>
        );
      }}
      save={(v, templateId) => {
        const body = {
          domainId,
          name: v.name,
          description: v.description || undefined,
          layoutConfiguration: v.layoutId ? { defaultLayout: v.layoutId } : undefined,
          status: v.status,
          requiredFields: v.requiredFields.map((fieldId) => ({ fieldId })),
          rules: v.rules.map((r) => ({ caseRuleId: r.caseRuleId, fieldId: r.fieldId || undefined })),
          tagPropagationConfigurations: parseJson('Tag propagation', v.tagPropagation) as never,
        };
        return templateId ? client.send(new UpdateTemplateCommand({ ...body, templateId })) : client.send(new CreateTemplateCommand(body));
      }}
    />
  );
}

interface RuleDraft {
  name: string;
  description: string;
  rule: string;
}
const RULE_EXAMPLE = JSON.stringify(
  { required: { defaultValue: false, conditions: [{ equalTo: { operandOne: { fieldId: 'status' }, operandTwo: { stringValue: 'closed' }, result: true } }] } },
  null,
  2,
);

function CaseRules({ domainId }: { domainId: string }) {
  const { client } = useWorkspace();
  const list = useLoad(async () => (await client.send(new ListCaseRulesCommand({ domainId, maxResults: 100 }))).caseRules ?? [], [domainId]);
  return (
    <JsonEditorPage<RuleDraft>
      domainId={domainId}
      noun="case rule"
      items={list.data?.map((r) => ({ id: r.caseRuleId!, name: `${r.name} (${r.ruleType})` }))}
      error={list.error}
      reload={list.reload}
      empty={{ name: '', description: '', rule: RULE_EXAMPLE }}
      load={async (id) => {
        const r = (await client.send(new BatchGetCaseRuleCommand({ domainId, caseRules: [{ id }] }))).caseRules![0];
        return { name: r.name!, description: r.description ?? '', rule: JSON.stringify(r.rule, null, 2) };
      }}
      render={(v, set) => (
        <>
          <label>Name <input value={v.name} onChange={(e) => set({ ...v, name: e.target.value })} required /></label>
          <label>Description <input value={v.description} onChange={(e) => set({ ...v, description: e.target.value })} /></label>
          <label>Rule (JSON: required, hidden or fieldOptions; see docs/case-rules.md)
            <textarea rows={14} className="code" value={v.rule} onChange={(e) => set({ ...v, rule: e.target.value })} />
          </label>
          <FieldIdReference domainId={domainId} />
        </>
      )}
      save={(v, caseRuleId) => {
        const rule = parseJson('Rule', v.rule) as never;
        const description = v.description || undefined;
        return caseRuleId
          ? client.send(new UpdateCaseRuleCommand({ domainId, caseRuleId, name: v.name, description, rule }))
          : client.send(new CreateCaseRuleCommand({ domainId, name: v.name, description, rule }));
      }}
    />
  );
}
