/** What happened around a case: comments, contacts, files, linked cases, SLAs, custom items, and the audit history. */
import { useEffect, useState, type FormEvent } from 'react';
import {
  CreateRelatedItemCommand,
  GetCaseAuditEventsCommand,
  SearchRelatedItemsCommand,
  UpdateRelatedItemCommand,
  type AuditEvent,
  type AuditEventFieldValueUnion,
  type RelatedItemInputContent,
  type SearchRelatedItemsResponseItem,
} from '@aws-sdk/client-connectcases';
import { errorMessage, valueText } from './api';
import { useWorkspace } from './App';
import { loadFields, useLoad } from './meta';
import { Link } from './router';

const PAGE = 25;

export function Activity({ domainId, caseId }: { domainId: string; caseId: string }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <section className="activity" aria-label="Activity">
      <h2>Activity</h2>
      <div className="activity-columns">
        <RelatedItems domainId={domainId} caseId={caseId} version={version} onChange={changed} />
        <AuditTimeline domainId={domainId} caseId={caseId} version={version} />
      </div>
    </section>
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

function when(iso: string | Date | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

function duration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60000);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

function RelatedItems({ domainId, caseId, version, onChange }: { domainId: string; caseId: string; version: number; onChange: () => void }) {
  const { client, userArn } = useWorkspace();
  const [items, setItems] = useState<SearchRelatedItemsResponseItem[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [comment, setComment] = useState('');
  const now = useNow(30_000);
  const fields = useLoad(() => loadFields(client, domainId), [domainId]);

  const loadPage = async (token?: string) => {
    try {
      const r = await client.send(new SearchRelatedItemsCommand({ domainId, caseId, maxResults: PAGE, nextToken: token }));
      const page = (r.relatedItems ?? []).filter((i): i is SearchRelatedItemsResponseItem => i !== null);
      setItems((old) => (token ? [...old, ...page] : page));
      setNextToken(r.nextToken);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    loadPage();
  }, [domainId, caseId, version]);

  const addComment = async (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    setError('');
    try {
      await client.send(
        new CreateRelatedItemCommand({ domainId, caseId, type: 'Comment', content: { comment: { body: comment, contentType: 'Text/Plain' } }, performedBy: { userArn } }),
      );
      setComment('');
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const byType = (t: string) => items.filter((i) => i.type === t);
  const comments = byType('Comment');
  return (
    <div className="related">
      <h3>Comments ({comments.length}{nextToken ? '+' : ''})</h3>
      <form onSubmit={addComment} className="add-comment">
        <label htmlFor="new-comment">Add a comment</label>
        <textarea id="new-comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
        <button type="submit" disabled={!comment.trim()}>Add comment</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      <ul className="comments">
        {comments.map((c) => (
          <Comment key={c.relatedItemId} domainId={domainId} caseId={caseId} item={c} onChange={onChange} />
        ))}
      </ul>
      <ItemList title="Contacts" items={byType('Contact')} render={(i) => (
        <>{i.content?.contact?.channel} contact <code>{i.content?.contact?.contactArn}</code>, connected {when(i.content?.contact?.connectedToSystemTime)}</>
      )} />
      <ItemList title="Files" items={byType('File')} render={(i) => <code>{i.content?.file?.fileArn}</code>} />
      <ItemList title="Linked cases" items={byType('ConnectCase')} render={(i) => (
        <Link href={`/d/${encodeURIComponent(domainId)}/cases/${encodeURIComponent(i.content!.connectCase!.caseId!)}`}>Case {i.content?.connectCase?.caseId}</Link>
      )} />
      <ItemList title="SLAs" items={byType('Sla')} render={(i) => {
        const sla = i.content!.sla!.slaConfiguration!;
        const target = sla.targetTime ? new Date(sla.targetTime).getTime() : now;
        // The stored status changes only on writes; an Active SLA whose target passed is overdue now.
        const status = sla.status === 'Active' && target < now ? 'Overdue' : sla.status;
        return (
          <>
            <strong>{sla.name}</strong> <span className={`sla sla-${status}`}>{status}</span>{' '}
            {status === 'Active' && <>due in {duration(target - now)}</>}
            {status === 'Overdue' && <>overdue by {duration(now - target)}</>}
            {(status === 'Met' || status === 'NotMet') && sla.completionTime && <>completed {when(sla.completionTime)}</>}
            {sla.fieldId && <> — when {fields.data?.get(sla.fieldId)?.name ?? sla.fieldId} is {(sla.targetFieldValues ?? []).map((v) => v.stringValue ?? String(v.doubleValue ?? v.booleanValue ?? '')).join(' or ')}</>}
          </>
        );
      }} />
      <ItemList title="Custom items" items={byType('Custom')} render={(i) => (
        <>{(i.content?.custom?.fields ?? []).map((f) => `${fields.data?.get(f.id!)?.name ?? f.id}: ${valueText(f.value)}`).join(', ')}</>
      )} />
      {nextToken && <button type="button" onClick={() => loadPage(nextToken)}>Load more related items</button>}
      <AddRelatedItem domainId={domainId} caseId={caseId} onChange={onChange} />
    </div>
  );
}

/** Linking another case and starting an SLA; contacts, files and custom items come from integrations. */
function AddRelatedItem({ domainId, caseId, onChange }: { domainId: string; caseId: string; onChange: () => void }) {
  const { client, userArn } = useWorkspace();
  const [linked, setLinked] = useState('');
  const [sla, setSla] = useState({ name: '', minutes: '60', value: 'closed' });
  const [error, setError] = useState('');
  const add = async (e: FormEvent, content: RelatedItemInputContent, type: 'ConnectCase' | 'Sla', reset: () => void) => {
    e.preventDefault();
    setError('');
    try {
      await client.send(new CreateRelatedItemCommand({ domainId, caseId, type, content, performedBy: { userArn } }));
      reset();
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <details className="add-related">
      <summary>Link a case or start an SLA</summary>
      <form
        className="inline-form"
        aria-label="Link a case"
        onSubmit={(e) => add(e, { connectCase: { caseId: linked.trim() } }, 'ConnectCase', () => setLinked(''))}
      >
        <label>Case id to link <input value={linked} onChange={(e) => setLinked(e.target.value)} required /></label>
        <button type="submit">Link case</button>
      </form>
      <form
        className="inline-form"
        aria-label="Start an SLA"
        onSubmit={(e) =>
          add(
            e,
            {
              sla: {
                slaInputConfiguration: {
                  name: sla.name,
                  type: 'CaseField',
                  fieldId: 'status',
                  targetFieldValues: [{ stringValue: sla.value }],
                  targetSlaMinutes: Number(sla.minutes),
                },
              },
            },
            'Sla',
            () => setSla({ ...sla, name: '' }),
          )
        }
      >
        <label>SLA name <input value={sla.name} onChange={(e) => setSla({ ...sla, name: e.target.value })} required /></label>
        <label>
          Minutes until due
          <input type="number" min={1} value={sla.minutes} onChange={(e) => setSla({ ...sla, minutes: e.target.value })} required />
        </label>
        <label>
          Met when status becomes
          <input value={sla.value} onChange={(e) => setSla({ ...sla, value: e.target.value })} required />
        </label>
        <button type="submit">Start SLA</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
    </details>
  );
}

function ItemList({ title, items, render }: { title: string; items: SearchRelatedItemsResponseItem[]; render: (i: SearchRelatedItemsResponseItem) => React.ReactNode }) {
  if (!items.length) return null;
  return (
    <>
      <h3>{title} ({items.length})</h3>
      <ul className="items">
        {items.map((i) => (
          <li key={i.relatedItemId}>
            {render(i)} <span className="muted">· added {when(i.associationTime)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function Comment({ domainId, caseId, item, onChange }: { domainId: string; caseId: string; item: SearchRelatedItemsResponseItem; onChange: () => void }) {
  const { client, userArn } = useWorkspace();
  const body = item.content?.comment?.body ?? '';
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(body);
  const [error, setError] = useState('');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.send(
        new UpdateRelatedItemCommand({
          domainId,
          caseId,
          relatedItemId: item.relatedItemId!,
          content: { comment: { body: text, contentType: 'Text/Plain' } },
          performedBy: { userArn },
        }),
      );
      setEditing(false);
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const by = item.performedBy?.userArn ?? item.performedBy?.customEntity;
  return (
    <li className="comment">
      <p className="muted">
        {by ?? 'unknown'} · {when(item.associationTime)}
      </p>
      {editing ? (
        <form onSubmit={save}>
          <label htmlFor={`edit-${item.relatedItemId}`}>Edit comment</label>
          <textarea id={`edit-${item.relatedItemId}`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit">Save comment</button>
          <button type="button" onClick={() => { setEditing(false); setText(body); }}>Cancel</button>
          {error && <p role="alert" className="error">{error}</p>}
        </form>
      ) : (
        <>
          <p className="comment-body">{body}</p>
          <button type="button" className="link" onClick={() => setEditing(true)} aria-label="Edit this comment">Edit</button>
        </>
      )}
    </li>
  );
}

function auditValue(v: AuditEventFieldValueUnion | undefined): string {
  if (!v) return '∅';
  if (v.emptyValue) return '∅';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.booleanValue !== undefined) return v.booleanValue ? 'Yes' : 'No';
  if (v.userArnValue !== undefined) return v.userArnValue;
  return '∅';
}

function AuditTimeline({ domainId, caseId, version }: { domainId: string; caseId: string; version: number }) {
  const { client } = useWorkspace();
  const fields = useLoad(() => loadFields(client, domainId), [domainId]);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [error, setError] = useState('');
  const loadPage = async (token?: string) => {
    try {
      const r = await client.send(new GetCaseAuditEventsCommand({ domainId, caseId, maxResults: PAGE, nextToken: token }));
      const page = (r.auditEvents ?? []).filter((e): e is AuditEvent => e !== null);
      setEvents((old) => (token ? [...old, ...page] : page));
      setNextToken(r.nextToken);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    loadPage();
  }, [domainId, caseId, version]);
  const name = (id: string) => fields.data?.get(id)?.name ?? id;
  // Newest first reads best as a timeline.
  const sorted = [...events].sort((a, b) => String(b.performedTime).localeCompare(String(a.performedTime)));
  return (
    <div className="audit">
      <h3>History</h3>
      {error && <p role="alert" className="error">{error}</p>}
      <ol className="timeline" aria-label="Audit history">
        {sorted.map((e) => (
          <li key={e.eventId}>
            <p>
              <strong>{e.type}{e.relatedItemType ? ` (${e.relatedItemType})` : ''}</strong> by{' '}
              <span className="performer">{e.performedBy?.user?.userArn ?? e.performedBy?.iamPrincipalArn ?? 'unknown'}</span>
              <br />
              <time dateTime={String(e.performedTime)}>{when(e.performedTime)}</time>
            </p>
            <ul>
              {(e.fields ?? []).flatMap((f) => (f ? [f] : [])).map((f) => (
                <li key={f.eventFieldId}>
                  {name(f.eventFieldId!)}: <span className="old">{auditValue(f.oldValue)}</span> → <span className="new">{auditValue(f.newValue)}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {nextToken && <button type="button" onClick={() => loadPage(nextToken)}>Load older history</button>}
    </div>
  );
}
