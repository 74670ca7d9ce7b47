import { useMemo } from 'react';
import { CreateCaseCommand } from '@aws-sdk/client-connectcases';
import type { Value } from './api';
import { useWorkspace } from './App';
import { CaseForm } from './CaseForm';
import { TITLE_SECTION, loadLayout, loadTemplate, loadTemplates, useLoad } from './meta';
import { navigate } from './router';

const NO_VALUES: Record<string, Value> = {};

export function NewCase({ domainId, templateId }: { domainId: string; templateId?: string }) {
  const { client, userArn } = useWorkspace();
  const base = `/d/${encodeURIComponent(domainId)}/cases`;
  const templates = useLoad(() => loadTemplates(client, domainId), [domainId]);
  const chosen = useLoad(async () => {
    if (!templateId) return undefined;
    const template = await loadTemplate(client, domainId, templateId);
    const layout = template.layoutConfiguration?.defaultLayout
      ? await loadLayout(client, domainId, template.layoutConfiguration.defaultLayout)
      : undefined;
    return { template, layout };
  }, [domainId, templateId]);
  const sections = useMemo(() => {
    const layout = chosen.data?.layout;
    return [
      { title: 'Case details', sections: [TITLE_SECTION, ...(layout?.topPanel ?? [])] },
      ...(layout?.moreInfo.length ? [{ title: 'More info', sections: layout.moreInfo }] : []),
    ];
  }, [chosen.data]);

  const active = (templates.data ?? []).filter((t) => t.status === 'Active');
  const create = async (changes: { id: string; value: Value }[]) => {
    const r = await client.send(
      new CreateCaseCommand({ domainId, templateId: templateId!, fields: changes, performedBy: { userArn } }),
    );
    navigate(`${base}/${encodeURIComponent(r.caseId!)}`);
  };

  return (
    <section className="new-case">
      <h1>New case</h1>
      <label className="template-picker">
        Template
        <select value={templateId ?? ''} onChange={(e) => navigate(`${base}/new?template=${encodeURIComponent(e.target.value)}`, true)}>
          <option value="">Choose a template…</option>
          {active.map((t) => (
            <option key={t.templateId} value={t.templateId}>{t.name}</option>
          ))}
        </select>
      </label>
      {templates.error && <p role="alert" className="error">{templates.error}</p>}
      {templates.data && active.length === 0 && <p>This domain has no active template yet: create one under Admin → Templates.</p>}
      {chosen.error && <p role="alert" className="error">{chosen.error}</p>}
      {chosen.data && (
        <CaseForm
          key={templateId}
          domainId={domainId}
          template={chosen.data.template}
          sections={sections}
          initial={NO_VALUES}
          submitLabel="Create case"
          onSubmit={create}
          creating
        />
      )}
    </section>
  );
}
