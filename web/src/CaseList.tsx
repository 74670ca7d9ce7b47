/**
 * The case list: one SearchCases page at a time. The URL holds the whole query (search term, filters, sort, columns
 * and page token), so a view can be bookmarked and shared, and Back returns to the previous page.
 */
import { useState, type FormEvent } from 'react';
import { ListLayoutsCommand, SearchCasesCommand, type CaseFilter, type FieldSummary } from '@aws-sdk/client-connectcases';
import { valueText, type Value } from './api';
import { useWorkspace } from './App';
import { loadFields, loadLayout, useLoad } from './meta';
import { Link, navigate } from './router';

const PAGE_SIZE = 25;
const DEFAULT_COLUMNS = ['reference_number', 'title', 'status', 'last_updated_datetime'];

const OPERATORS = {
  equalTo: 'equals',
  notEqualTo: 'does not equal',
  contains: 'contains',
  greaterThan: '>',
  greaterThanOrEqualTo: '≥',
  lessThan: '<',
  lessThanOrEqualTo: '≤',
} as const;
type Operator = keyof typeof OPERATORS;

interface Filter {
  fieldId: string;
  op: Operator;
  value: string;
}

/** `f=<fieldId>~<operator>~<value>` in the URL. */
function parseFilter(s: string): Filter | undefined {
  const [fieldId, op, ...rest] = s.split('~');
  return fieldId && op in OPERATORS ? { fieldId, op: op as Operator, value: rest.join('~') } : undefined;
}
const formatFilter = (f: Filter) => `${f.fieldId}~${f.op}~${f.value}`;

function typedValue(field: FieldSummary | undefined, text: string): Value {
  if (text === '') return { emptyValue: {} };
  switch (field?.type) {
    case 'Number':
      return { doubleValue: Number(text) };
    case 'Boolean':
      return { booleanValue: text === 'true' };
    case 'User':
      return { userArnValue: text };
    case 'DateTime':
      return { stringValue: Number.isNaN(Date.parse(text)) ? text : new Date(text).toISOString() };
    default:
      return { stringValue: text };
  }
}

/** The filter "field" that stands for the case's tags (no field id starts with @). */
const TAG = '@tag';

const VALUE_HINTS: Record<string, string> = {
  [TAG]: 'key=value',
  Text: 'text',
  Url: 'a URL',
  SingleSelect: 'an option value',
  Number: 'a number',
  Boolean: 'true or false',
  DateTime: 'e.g. 2026-11-22T09:30:00Z',
  User: 'a user ARN',
};

/** Why a filter value does not fit its field's type, if it does not. */
function filterProblem(filter: Filter, field: FieldSummary | undefined): string | undefined {
  const text = filter.value;
  if (filter.fieldId === TAG) {
    if (filter.op !== 'equalTo' && filter.op !== 'notEqualTo') return 'A tag can only equal a value, or not';
    return text.includes('=') ? undefined : 'A tag filter takes key=value';
  }
  if (text === '') return undefined;
  if (field?.type === 'Number' && !Number.isFinite(Number(text))) return `${field.name} takes a number`;
  if (field?.type === 'Boolean' && text !== 'true' && text !== 'false') return `${field.name} takes true or false`;
  if (field?.type === 'DateTime' && Number.isNaN(Date.parse(text))) return `${field.name} takes a date and time, e.g. 2026-11-22T09:30:00Z`;
  return undefined;
}

function toCaseFilter(filters: Filter[], fields: Map<string, FieldSummary>): CaseFilter | undefined {
  const one = (f: Filter): CaseFilter => {
    if (f.fieldId === TAG) {
      const [key, ...rest] = f.value.split('=');
      const tag: CaseFilter = { tag: { equalTo: { key, value: rest.join('=') } } };
      return f.op === 'notEqualTo' ? { not: tag } : tag;
    }
    const value = typedValue(fields.get(f.fieldId), f.value);
    if (f.op === 'notEqualTo') return { not: { field: { equalTo: { id: f.fieldId, value } } } };
    return { field: { [f.op]: { id: f.fieldId, value } } } as unknown as CaseFilter;
  };
  if (filters.length === 0) return undefined;
  return filters.length === 1 ? one(filters[0]) : { andAll: filters.map(one) };
}

function formatCell(field: FieldSummary | undefined, v: Value | undefined): string {
  if (field?.type === 'DateTime' && v?.stringValue) return new Date(v.stringValue).toLocaleString();
  return valueText(v);
}

export function CaseList({ domainId, query }: { domainId: string; query: URLSearchParams }) {
  const { client } = useWorkspace();
  const base = `/d/${encodeURIComponent(domainId)}/cases`;
  const searchTerm = query.get('q') ?? '';
  const filters = query.getAll('f').map(parseFilter).filter((f): f is Filter => !!f);
  // Without sorts SearchCases lists the most recently updated first, from its own index: the fastest first page.
  const sortParam = query.get('sort');
  const [sortField, sortOrder] = (sortParam ?? 'last_updated_datetime:Desc').split(':');
  const columnsLayout = query.get('cols') ?? '';
  const token = query.get('token') ?? undefined;

  const go = (change: (q: URLSearchParams) => void) => {
    const q = new URLSearchParams(query);
    q.delete('token');
    change(q);
    const s = q.toString();
    navigate(s ? `${base}?${s}` : base);
  };

  const meta = useLoad(async () => {
    const [fields, layouts] = await Promise.all([loadFields(client, domainId), client.send(new ListLayoutsCommand({ domainId, maxResults: 100 }))]);
    return { fields, layouts: layouts.layouts ?? [] };
  }, [domainId]);

  const results = useLoad(async () => {
    // Filters need the fields' types; without filters the search need not wait for them.
    const fields = filters.length ? await loadFields(client, domainId) : new Map<string, FieldSummary>();
    const columns = columnsLayout
      ? (await loadLayout(client, domainId, columnsLayout)).topPanel.flatMap((s) => s.fieldIds).slice(0, 25)
      : DEFAULT_COLUMNS;
    const r = await client.send(
      new SearchCasesCommand({
        domainId,
        maxResults: PAGE_SIZE,
        nextToken: token,
        searchTerm: searchTerm || undefined,
        filter: toCaseFilter(filters, fields),
        sorts: sortParam ? [{ fieldId: sortField, sortOrder: sortOrder === 'Asc' ? 'Asc' : 'Desc' }] : undefined,
        fields: columns.map((id) => ({ id })),
      }),
    );
    return { columns, cases: (r.cases ?? []).flatMap((c) => (c ? [c] : [])), nextToken: r.nextToken };
  }, [domainId, query.toString()]);

  const [term, setTerm] = useState(searchTerm);
  const [draft, setDraft] = useState<Filter>({ fieldId: 'status', op: 'equalTo', value: '' });
  const [draftError, setDraftError] = useState('');
  const fields = meta.data?.fields ?? new Map<string, FieldSummary>();
  const fieldName = (id: string) => (id === TAG ? 'Tag' : fields.get(id)?.name ?? id);

  const search = (e: FormEvent) => {
    e.preventDefault();
    go((q) => (term ? q.set('q', term) : q.delete('q')));
  };
  const addFilter = (e: FormEvent) => {
    e.preventDefault();
    const problem = filterProblem(draft, fields.get(draft.fieldId));
    setDraftError(problem ?? '');
    if (!problem) go((q) => q.append('f', formatFilter(draft)));
  };
  const removeFilter = (i: number) =>
    go((q) => {
      q.delete('f');
      filters.filter((_, j) => j !== i).forEach((f) => q.append('f', formatFilter(f)));
    });
  const sortBy = (id: string) => go((q) => q.set('sort', `${id}:${sortField === id && sortOrder === 'Desc' ? 'Asc' : 'Desc'}`));

  return (
    <section className="case-list">
      <h1>Cases</h1>
      <form role="search" onSubmit={search} className="search">
        <label htmlFor="search-term">Search cases</label>
        <input id="search-term" type="search" value={term} onChange={(e) => setTerm(e.target.value)} placeholder="Words in any text field" />
        <button type="submit">Search</button>
      </form>
      <form onSubmit={addFilter} className="filter-form" aria-label="Add a filter">
        <label>
          Field
          <select value={draft.fieldId} onChange={(e) => setDraft({ ...draft, fieldId: e.target.value })}>
            {[...fields.values()].map((f) => (
              <option key={f.fieldId} value={f.fieldId}>{f.name}</option>
            ))}
            <option value={TAG}>Tag</option>
          </select>
        </label>
        <label>
          Operator
          <select value={draft.op} onChange={(e) => setDraft({ ...draft, op: e.target.value as Operator })}>
            {Object.entries(OPERATORS).map(([op, label]) => (
              <option key={op} value={op}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          Value
          <input
            value={draft.value}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
            placeholder={VALUE_HINTS[draft.fieldId === TAG ? TAG : fields.get(draft.fieldId)?.type ?? 'Text']}
            aria-invalid={draftError ? true : undefined}
            aria-describedby={draftError ? 'filter-error' : undefined}
          />
        </label>
        <button type="submit">Add filter</button>
        {draftError && <p id="filter-error" role="alert" className="error">{draftError}</p>}
      </form>
      {filters.length > 0 && (
        <ul className="chips" aria-label="Active filters">
          {filters.map((f, i) => (
            <li key={i}>
              {fieldName(f.fieldId)} {OPERATORS[f.op]} “{f.value}”
              <button type="button" onClick={() => removeFilter(i)} aria-label={`Remove filter ${fieldName(f.fieldId)} ${OPERATORS[f.op]} ${f.value}`}>×</button>
            </li>
          ))}
        </ul>
      )}
      <label className="columns-picker">
        Columns
        <select value={columnsLayout} onChange={(e) => go((q) => (e.target.value ? q.set('cols', e.target.value) : q.delete('cols')))}>
          <option value="">Default</option>
          {(meta.data?.layouts ?? []).map((l) => (
            <option key={l.layoutId} value={l.layoutId}>Top panel of layout {l.name}</option>
          ))}
        </select>
      </label>
      {results.error && <p role="alert" className="error">{results.error}</p>}
      {!results.data && !results.error && <p className="loading">Loading cases…</p>}
      {results.data && (
        <>
          <table>
            <thead>
              <tr>
                {results.data.columns.map((id) => (
                  <th key={id} scope="col" aria-sort={sortField === id ? (sortOrder === 'Asc' ? 'ascending' : 'descending') : undefined}>
                    <button type="button" className="link" onClick={() => sortBy(id)}>
                      {fieldName(id)}
                      {sortField === id ? (sortOrder === 'Asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {results.data.cases.map((c) => {
                const values = Object.fromEntries((c.fields ?? []).map((f) => [f.id!, f.value!]));
                return (
                  <tr key={c.caseId}>
                    {results.data!.columns.map((id, i) => (
                      <td key={id}>
                        {i === 0 ? (
                          <Link href={`${base}/${encodeURIComponent(c.caseId!)}`}>{formatCell(fields.get(id), values[id]) || c.caseId}</Link>
                        ) : (
                          formatCell(fields.get(id), values[id])
                        )}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {results.data.cases.length === 0 && <p>No cases match.</p>}
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={!token} onClick={() => go(() => undefined)}>First page</button>
            <button type="button" disabled={!token} onClick={() => history.back()}>Previous page</button>
            <button
              type="button"
              disabled={!results.data.nextToken}
              onClick={() => {
                const q = new URLSearchParams(query);
                q.set('token', results.data!.nextToken!);
                navigate(`${base}?${q}`);
              }}
            >
              Next page
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
