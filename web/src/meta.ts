/**
 * Domain metadata the pages need (fields, options, templates, layouts, case rules), fetched through the API and
 * kept for the session; the admin pages drop it after every change they make.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  BatchGetCaseRuleCommand,
  GetLayoutCommand,
  GetTemplateCommand,
  ListFieldOptionsCommand,
  ListFieldsCommand,
  ListTemplatesCommand,
  type CaseRuleDetails,
  type ConnectCasesClient,
  type FieldOption,
  type FieldSummary,
  type GetTemplateResponse,
  type LayoutSections,
  type TemplateSummary,
} from '@aws-sdk/client-connectcases';
import { errorMessage } from './api';

const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export function forgetDomainMetadata(domainId: string) {
  for (const key of cache.keys()) if (key.startsWith(`${domainId}/`)) cache.delete(key);
}

export type FieldsById = Map<string, FieldSummary>;

export function loadFields(client: ConnectCasesClient, domainId: string): Promise<FieldsById> {
  return cached(`${domainId}/fields`, async () => {
    const out: FieldsById = new Map();
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListFieldsCommand({ domainId, maxResults: 100, nextToken }));
      for (const f of page.fields ?? []) out.set(f.fieldId!, f);
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  });
}

export function loadOptions(client: ConnectCasesClient, domainId: string, fieldId: string): Promise<FieldOption[]> {
  return cached(`${domainId}/options/${fieldId}`, async () => {
    const out: FieldOption[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListFieldOptionsCommand({ domainId, fieldId, maxResults: 100, nextToken }));
      out.push(...(page.options ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  });
}

export function loadTemplates(client: ConnectCasesClient, domainId: string): Promise<TemplateSummary[]> {
  return cached(`${domainId}/templates`, async () => {
    const out: TemplateSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListTemplatesCommand({ domainId, maxResults: 100, nextToken }));
      out.push(...(page.templates ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  });
}

export function loadTemplate(client: ConnectCasesClient, domainId: string, templateId: string): Promise<GetTemplateResponse> {
  return cached(`${domainId}/template/${templateId}`, () => client.send(new GetTemplateCommand({ domainId, templateId })));
}

export interface Section {
  name: string;
  fieldIds: string[];
}

/** Layouts may not hold the title (nor the status, which has its own buttons): every case form starts with it. */
export const TITLE_SECTION: Section = { name: '', fieldIds: ['title'] };

export interface LayoutView {
  name: string;
  topPanel: Section[];
  moreInfo: Section[];
}

const sectionsOf = (s: LayoutSections | undefined): Section[] =>
  (s?.sections ?? []).flatMap((x) => (x.fieldGroup ? [{ name: x.fieldGroup.name ?? '', fieldIds: (x.fieldGroup.fields ?? []).map((f) => f.id!) }] : []));

export function loadLayout(client: ConnectCasesClient, domainId: string, layoutId: string): Promise<LayoutView> {
  return cached(`${domainId}/layout/${layoutId}`, async () => {
    const l = await client.send(new GetLayoutCommand({ domainId, layoutId }));
    return { name: l.name ?? '', topPanel: sectionsOf(l.content?.basic?.topPanel), moreInfo: sectionsOf(l.content?.basic?.moreInfo) };
  });
}

/** The rule documents a template links, by id (BatchGetCaseRule takes 50 at a time). */
export function loadRules(client: ConnectCasesClient, domainId: string, ids: string[]): Promise<Map<string, CaseRuleDetails>> {
  const unique = [...new Set(ids)].sort();
  return cached(`${domainId}/rules/${unique.join(',')}`, async () => {
    const out = new Map<string, CaseRuleDetails>();
    for (let i = 0; i < unique.length; i += 50) {
      const r = await client.send(new BatchGetCaseRuleCommand({ domainId, caseRules: unique.slice(i, i + 50).map((id) => ({ id })) }));
      for (const rule of r.caseRules ?? []) out.set(rule.caseRuleId!, rule.rule!);
    }
    return out;
  });
}

/** Runs `load` when its dependencies change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data }),
      (e) => live && setState({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
