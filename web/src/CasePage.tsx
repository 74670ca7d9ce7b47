import { useMemo, useState } from 'react';
import { GetCaseCommand, UpdateCaseCommand, type ConnectCasesClient } from '@aws-sdk/client-connectcases';
import { errorMessage, valueText, type Value } from './api';
import { useWorkspace } from './App';
import { CaseForm } from './CaseForm';
import { Activity } from './Activity';
import { TITLE_SECTION, loadLayout, loadTemplate, useLoad } from './meta';
import { Link } from './router';

/** Fields the case header shows whatever the layout says. */
const HEADER_FIELDS = ['title', 'status', 'reference_number', 'created_datetime', 'last_updated_datetime', 'last_updated_user'];

async function getValues(client: ConnectCasesClient, domainId: string, caseId: string, ids: string[]) {
  const values: Record<string, Value> = {};
  let templateId = '';
  for (let i = 0; i < ids.length; i += 220) {
    let nextToken: string | undefined;
    do {
      const r = await client.send(new GetCaseCommand({ domainId, caseId, fields: ids.slice(i, i + 220).map((id) => ({ id })), nextToken }));
      templateId = r.templateId!;
      for (const f of r.fields ?? []) values[f.id!] = f.value!;
      nextToken = r.nextToken;
    } while (nextToken);
  }
  return { templateId, values };
}

export function CasePage({ domainId, caseId }: { domainId: string; caseId: string }) {
  const { client, userArn } = useWorkspace();
  const [statusError, setStatusError] = useState('');
  const loaded = useLoad(async () => {
    const first = await getValues(client, domainId, caseId, HEADER_FIELDS);
    const template = await loadTemplate(client, domainId, first.templateId);
    const layout = template.layoutConfiguration?.defaultLayout
      ? await loadLayout(client, domainId, template.layoutConfiguration.defaultLayout)
      : { name: '', topPanel: [], moreInfo: [] };
    const layoutIds = [...layout.topPanel, ...layout.moreInfo].flatMap((s) => s.fieldIds).filter((id) => !HEADER_FIELDS.includes(id));
    const rest = layoutIds.length ? await getValues(client, domainId, caseId, layoutIds) : { values: {} };
    return { template, layout, values: { ...first.values, ...rest.values } };
  }, [domainId, caseId]);
  const sections = useMemo(
    () =>
      loaded.data
        ? [
            { title: 'Case details', sections: [TITLE_SECTION, ...loaded.data.layout.topPanel] },
            ...(loaded.data.layout.moreInfo.length ? [{ title: 'More info', sections: loaded.data.layout.moreInfo }] : []),
          ]
        : [],
    [loaded.data],
  );

  if (loaded.error) return <p role="alert" className="error">{loaded.error}</p>;
  if (!loaded.data) return <p className="loading">Loading case…</p>;
  const { template, values } = loaded.data;
  const status = values.status?.stringValue ?? 'open';

  const update = async (fields: { id: string; value: Value }[]) => {
    await client.send(new UpdateCaseCommand({ domainId, caseId, fields, performedBy: { userArn } }));
    loaded.reload();
  };
  const setStatus = async (next: string) => {
    setStatusError('');
    try {
      await update([{ id: 'status', value: { stringValue: next } }]);
    } catch (e) {
      setStatusError(errorMessage(e));
    }
  };

  return (
    <article className="case-page">
      <p className="crumbs">
        <Link href={`/d/${encodeURIComponent(domainId)}/cases`}>← Cases</Link>
      </p>
      <header className="case-header">
        <h1>{valueText(values.title) || '(no title)'}</h1>
        <dl className="facts">
          <dt>Reference</dt>
          <dd>{valueText(values.reference_number)}</dd>
          <dt>Status</dt>
          <dd><span className={`status status-${status}`}>{status}</span></dd>
          <dt>Template</dt>
          <dd>{template.name}</dd>
          <dt>Updated</dt>
          <dd>{values.last_updated_datetime?.stringValue ? new Date(values.last_updated_datetime.stringValue).toLocaleString() : ''}</dd>
        </dl>
        {status === 'closed' ? (
          <button type="button" onClick={() => setStatus('open')}>Reopen case</button>
        ) : (
          <button type="button" onClick={() => setStatus('closed')}>Close case</button>
        )}
        {statusError && <p role="alert" className="error">{statusError}</p>}
      </header>
      <CaseForm domainId={domainId} template={template} sections={sections} initial={values} submitLabel="Save changes" onSubmit={update} />
      <Activity domainId={domainId} caseId={caseId} />
    </article>
  );
}
