/**
 * Import through the public API into any Connect Cases endpoint. The target assigns new ids, times and
 * reference numbers; the id map (id-map.ts) records old → new ids and makes a re-run continue where the last
 * run stopped. Audit history cannot be written through the API: the target records its own (one Case.Created
 * per case, one RelatedItem.Created per item). When an import fails, the domain it created is deleted again.
 */
import {
  BatchPutFieldOptionsCommand,
  ConflictException,
  CreateCaseCommand,
  CreateCaseRuleCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  DeleteDomainCommand,
  DeleteTemplateCommand,
  GetDomainCommand,
  ListCaseRulesCommand,
  ListFieldsCommand,
  ListLayoutsCommand,
  ListTemplatesCommand,
  PutCaseEventConfigurationCommand,
  TagResourceCommand,
  UpdateTemplateCommand,
  type ConnectCasesClient,
  type FieldValueUnion,
  type RelatedItemInputContent,
} from '@aws-sdk/client-connectcases';
import { createHash } from 'node:crypto';
import { SYSTEM_FIELDS } from '../cases/system-fields.js';
import { emptyCounts, InputError, type CaseRecordLine, type Counts, type NumberedRecord, type RelatedItemRecordLine } from './format.js';
import { IdMap } from './id-map.js';
import type { ImportSummary } from './import-direct.js';

export interface ApiImportOptions {
  /** Path of the id map; an existing map of the same source domain is continued. */
  mapFile: string;
  /** Name of the new domain; default the exported name. */
  domainName?: string;
  /** Cases created at the same time. */
  concurrency?: number;
  onProgress?: (created: Counts) => void;
}

/** Values the target keeps itself; CreateCase refuses them. */
const SERVER_MANAGED = new Set(SYSTEM_FIELDS.filter((f) => f.serverManaged).map((f) => f.id));

/** Cases waiting to be created together. */
const BATCH = 64;

interface CaseGroup {
  line: number;
  record: CaseRecordLine;
  items: { line: number; record: RelatedItemRecordLine }[];
}

/** CreateCase idempotency: the same exported case always sends the same token (at most 64 characters). */
const clientToken = (sourceDomainId: string, caseId: string) => createHash('sha256').update(`${sourceDomainId}/${caseId}`).digest('hex');

/** Runs fn over items, at most `limit` at once; after a failure no new item starts, and the first error is thrown once all have stopped. */
async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      try {
        await fn(items[next++]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}

export async function importViaApi(client: ConnectCasesClient, records: AsyncIterable<NumberedRecord>, opts: ApiImportOptions): Promise<ImportSummary> {
  const run = new ApiImport(client, opts);
  try {
    for await (const { line, record } of records) await run.apply(line, record);
    return await run.finish();
  } catch (e) {
    const err = e as Error;
    try {
      const removed = await run.abandon();
      if (removed) err.message += ` (the partly imported domain ${removed} was deleted again, with its id map)`;
    } catch (cleanup) {
      err.message += ` (deleting the partly imported domain failed too: ${(cleanup as Error).message})`;
    }
    throw err;
  }
}

class ApiImport {
  private map: IdMap | undefined;
  private domainId = '';
  private domainArn = '';
  private sourceDomainId = '';
  /** This run created the domain, or continues a run that never completed: a failure removes the domain. */
  private ownsDomain = false;
  private created = emptyCounts();
  private skipped = emptyCounts();
  private notImported = emptyCounts();
  private pending: CaseGroup[] = [];
  private current: CaseGroup | undefined;
  /** ConnectCase items whose linked case comes later in the file. */
  private deferred: { line: number; record: RelatedItemRecordLine }[] = [];
  /**
   * What would refuse exported cases is applied once they are all in: templates are created Active, without
   * required fields and rules, and get their exported state at the end; options start active and inactive ones
   * are deactivated at the end.
   */
  private finalTemplates: { old: string; template: Record<string, any> }[] = [];
  private inactiveOptions: { old: string; fieldId: string; options: { name: string; value: string }[] }[] = [];
  /** Ids of the target domain's fields; System fields the target lacks are left out with their values. */
  private targetFields = new Set<string>();
  private droppedFields = new Set<string>();

  constructor(
    private readonly client: ConnectCasesClient,
    private readonly opts: ApiImportOptions,
  ) {}

  private get ids(): IdMap {
    return this.map!;
  }

  private count(key: keyof Counts, created: boolean) {
    (created ? this.created : this.skipped)[key]++;
  }

  private async tag(arn: string, tags: Record<string, string> | undefined) {
    if (tags && Object.keys(tags).length) await this.client.send(new TagResourceCommand({ arn, tags }));
  }

  /**
   * Creates a named resource. On a re-run, a ConflictException means an earlier, killed run created it after all
   * but could not record it; the existing resource of that name is taken then.
   */
  private async createNamed(name: string, create: () => Promise<string>, list: (nextToken?: string) => Promise<{ items: { id: string; name: string }[]; nextToken?: string }>): Promise<string> {
    try {
      return await create();
    } catch (e) {
      if (!(e instanceof ConflictException) || !this.ownsDomain || !this.ids.resumed) throw e;
      let token: string | undefined;
      do {
        const page = await list(token);
        const found = page.items.find((i) => i.name === name);
        if (found) return found.id;
        token = page.nextToken;
      } while (token);
      throw e;
    }
  }

  async apply(line: number, r: NumberedRecord['record']): Promise<void> {
    const c = this.client;
    const d = () => this.domainId;
    if (r.type !== 'relatedItem' && r.type !== 'auditEvent' && this.current) {
      this.pending.push(this.current);
      this.current = undefined;
      if (this.pending.length >= BATCH) await this.flush();
    }
    switch (r.type) {
      case 'header':
        return;
      case 'domain': {
        this.sourceDomainId = r.domain.domainId;
        this.map = IdMap.open(this.opts.mapFile, this.sourceDomainId);
        const mapped = this.ids.ids.get(this.sourceDomainId);
        if (mapped) {
          const existing = await c.send(new GetDomainCommand({ domainId: mapped })).catch(() => undefined);
          if (!existing) throw new InputError(line, `the id map ${this.opts.mapFile} names domain ${mapped}, which the target does not have (any more); remove the map to import afresh`);
          this.domainId = mapped;
          this.domainArn = existing.domainArn!;
          this.ownsDomain = !this.ids.complete;
          return this.loadTargetFields();
        }
        const name = this.opts.domainName ?? r.domain.name;
        const out = await c.send(new CreateDomainCommand({ name })).catch(async (e) => {
          if (e instanceof ConflictException) throw new InputError(line, `the target already has a domain named '${name}'; choose another name with --domain-name`);
          throw e;
        });
        this.domainId = out.domainId!;
        this.domainArn = out.domainArn!;
        this.ownsDomain = true;
        this.ids.set('domain', this.sourceDomainId, this.domainId);
        await this.tag(this.domainArn, r.domain.tags);
        return this.loadTargetFields();
      }
      case 'field': {
        const f = r.field;
        const system = f.namespace === 'System';
        if (system && !this.targetFields.has(f.fieldId)) {
          this.droppedFields.add(f.fieldId);
          this.notImported.fields++;
          return;
        }
        const inactive = r.options.filter((o) => o.active === false).map((o) => ({ name: o.name, value: o.value }));
        if (this.ids.ids.has(f.fieldId)) {
          if (inactive.length) this.inactiveOptions.push({ old: f.fieldId, fieldId: this.ids.ids.get(f.fieldId)!, options: inactive });
          return this.count('fields', false);
        }
        if (f.deleted) {
          // Only a restore can give a case a value of a deleted field; CreateCase refuses them.
          this.droppedFields.add(f.fieldId);
          this.notImported.fields++;
          return;
        }
        const id = system
          ? f.fieldId
          : await this.createNamed(
              f.name,
              async () => (await c.send(new CreateFieldCommand({ domainId: d(), name: f.name, type: f.type, description: f.description, attributes: f.attributes }))).fieldId!,
              async (nextToken) => {
                const p = await c.send(new ListFieldsCommand({ domainId: d(), nextToken }));
                return { items: (p.fields ?? []).map((x) => ({ id: x.fieldId!, name: x.name! })), nextToken: p.nextToken };
              },
            );
        for (let i = 0; i < r.options.length; i += 50) {
          const options = r.options.slice(i, i + 50).map((o) => ({ name: o.name, value: o.value, active: true }));
          const res = await c.send(new BatchPutFieldOptionsCommand({ domainId: d(), fieldId: id, options }));
          if (res.errors?.length) throw new InputError(line, `field ${f.fieldId}: the target refused options: ${res.errors.map((e) => `${e.value}: ${e.message}`).join('; ')}`);
        }
        await this.tag(`${this.domainArn}/field/${id}`, f.tags);
        this.ids.set('field', f.fieldId, id);
        if (inactive.length) this.inactiveOptions.push({ old: f.fieldId, fieldId: id, options: inactive });
        return this.count('fields', true);
      }
      case 'layout': {
        const l = r.layout;
        if (this.ids.ids.has(l.layoutId) || l.deleted) return this.count('layouts', false);
        const id = await this.createNamed(
          l.name,
          async () => (await c.send(new CreateLayoutCommand({ domainId: d(), name: l.name, content: this.ids.remap(l.content) }))).layoutId!,
          async (nextToken) => {
            const p = await c.send(new ListLayoutsCommand({ domainId: d(), nextToken }));
            return { items: (p.layouts ?? []).map((x) => ({ id: x.layoutId!, name: x.name! })), nextToken: p.nextToken };
          },
        );
        await this.tag(`${this.domainArn}/layout/${id}`, l.tags);
        this.ids.set('layout', l.layoutId, id);
        return this.count('layouts', true);
      }
      case 'caseRule': {
        const cr = r.caseRule;
        if (this.ids.ids.has(cr.caseRuleId) || cr.deleted) return this.count('caseRules', false);
        const id = await this.createNamed(
          cr.name,
          async () => (await c.send(new CreateCaseRuleCommand({ domainId: d(), name: cr.name, description: cr.description, rule: this.ids.remap(cr.rule) }))).caseRuleId!,
          async (nextToken) => {
            const p = await c.send(new ListCaseRulesCommand({ domainId: d(), nextToken }));
            return { items: (p.caseRules ?? []).map((x) => ({ id: x.caseRuleId!, name: x.name! })), nextToken: p.nextToken };
          },
        );
        await this.tag(`${this.domainArn}/case-rule/${id}`, cr.tags);
        this.ids.set('caseRule', cr.caseRuleId, id);
        return this.count('caseRules', true);
      }
      case 'template': {
        const t = r.template;
        const final = { old: t.templateId, template: t };
        if (this.ids.ids.has(t.templateId)) {
          this.finalTemplates.push(final);
          return this.count('templates', false);
        }
        // A deleted template's name may be in use by a live one: names are unique among live templates only.
        const name = t.deleted === true ? `${t.name.slice(0, 70)} (deleted ${t.templateId.slice(0, 8)})` : t.name;
        // A layout that is gone (deleted in the source) cannot be referenced any more.
        const layout = t.layoutConfiguration?.defaultLayout;
        const layoutConfiguration = layout && this.ids.ids.has(layout) ? { defaultLayout: this.ids.ids.get(layout) } : undefined;
        const id = await this.createNamed(
          name,
          async () =>
            (
              await c.send(
                new CreateTemplateCommand({
                  domainId: d(),
                  name,
                  description: t.description,
                  layoutConfiguration,
                  status: 'Active',
                  tagPropagationConfigurations: t.tagPropagationConfigurations,
                }),
              )
            ).templateId!,
          async (nextToken) => {
            const p = await c.send(new ListTemplatesCommand({ domainId: d(), nextToken, status: ['Active', 'Inactive'] }));
            return { items: (p.templates ?? []).map((x) => ({ id: x.templateId!, name: x.name! })), nextToken: p.nextToken };
          },
        );
        await this.tag(`${this.domainArn}/template/${id}`, t.tags);
        this.ids.set('template', t.templateId, id);
        this.finalTemplates.push(final);
        return this.count('templates', true);
      }
      case 'eventConfiguration':
        await c.send(new PutCaseEventConfigurationCommand({ domainId: d(), eventBridge: this.ids.remap(r.eventBridge) as any }));
        return;
      case 'case':
        this.current = { line, record: r, items: [] };
        return;
      case 'relatedItem':
        this.current!.items.push({ line, record: r });
        return;
      case 'auditEvent':
        this.notImported.auditEvents++;
        return;
      case 'end':
        await this.flush();
    }
  }

  private async loadTargetFields() {
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListFieldsCommand({ domainId: this.domainId, nextToken, maxResults: 100 }));
      for (const f of page.fields ?? []) this.targetFields.add(f.fieldId!);
      nextToken = page.nextToken;
    } while (nextToken);
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    await mapLimit(batch, this.opts.concurrency ?? 8, (g) => this.importCase(g));
    this.opts.onProgress?.(this.created);
  }

  private async importCase(g: CaseGroup) {
    const c = g.record.case;
    if (this.ids.isDone('caseDone', c.caseId)) {
      this.skipped.cases++;
      // Only links to later cases can be missing: they are created after all cases, so after caseDone.
      for (const item of g.items) {
        if (this.ids.ids.has(item.record.relatedItem.relatedItemId)) this.skipped.relatedItems++;
        else this.deferred.push(item);
      }
      return;
    }
    let caseId = this.ids.ids.get(c.caseId);
    if (caseId) this.skipped.cases++;
    else {
      const templateId = this.ids.ids.get(c.templateId);
      if (!templateId) throw new InputError(g.line, `case ${c.caseId} uses template ${c.templateId}, which the file does not hold`);
      const fields = c.fields.filter((f) => !SERVER_MANAGED.has(f.id) && !this.droppedFields.has(f.id)).map((f) => ({ id: this.ids.ids.get(f.id) ?? f.id, value: f.value as FieldValueUnion }));
      const out = await this.client.send(
        new CreateCaseCommand({ domainId: this.domainId, templateId, fields, clientToken: clientToken(this.sourceDomainId, c.caseId), tags: c.tags }),
      );
      caseId = out.caseId!;
      this.ids.set('case', c.caseId, caseId);
      this.created.cases++;
    }
    for (const item of g.items) {
      const linked = item.record.relatedItem.content.connectCase?.caseId;
      if (linked !== undefined && !this.ids.ids.has(linked)) this.deferred.push(item);
      else await this.importItem(item);
    }
    this.ids.mark('caseDone', c.caseId);
  }

  private async importItem({ line, record }: { line: number; record: RelatedItemRecordLine }) {
    const item = record.relatedItem;
    if (this.ids.ids.has(item.relatedItemId)) {
      this.skipped.relatedItems++;
      return;
    }
    const content = this.inputContent(line, item);
    const out = await this.client.send(
      new CreateRelatedItemCommand({ domainId: this.domainId, caseId: this.ids.ids.get(record.caseId)!, type: item.type, content, performedBy: item.performedBy }),
    );
    this.ids.set('relatedItem', item.relatedItemId, out.relatedItemId!);
    this.created.relatedItems++;
  }

  /** The CreateRelatedItem content that makes the exported item again, with mapped ids. */
  private inputContent(line: number, item: Record<string, any>): RelatedItemInputContent {
    const c = item.content;
    const id = (old: string) => this.ids.ids.get(old) ?? old;
    switch (item.type) {
      case 'Comment':
        return { comment: { body: c.comment.body, contentType: c.comment.contentType } };
      case 'Contact':
        return { contact: { contactArn: c.contact.contactArn } };
      case 'File':
        return { file: { fileArn: c.file.fileArn } };
      case 'ConnectCase':
        return { connectCase: { caseId: id(c.connectCase.caseId) } };
      case 'Custom':
        return { custom: { fields: c.custom.fields.map((f: { id: string; value: unknown }) => ({ id: id(f.id), value: f.value })) } };
      case 'Sla': {
        const sla = c.sla.slaConfiguration;
        // The target starts the SLA now: it keeps the exported duration, not the exported target time.
        const minutes = Math.max(1, Math.round((Date.parse(sla.targetTime) - Date.parse(item.associationTime)) / 60_000));
        return {
          sla: {
            slaInputConfiguration: { name: sla.name, type: sla.type, fieldId: sla.fieldId && id(sla.fieldId), targetFieldValues: sla.targetFieldValues, targetSlaMinutes: minutes },
          },
        };
      }
      default:
        throw new InputError(line, `related item ${item.relatedItemId} has the unknown type ${JSON.stringify(item.type)}`);
    }
  }

  async finish(): Promise<ImportSummary> {
    for (const item of this.deferred) {
      const linked = item.record.relatedItem.content.connectCase.caseId;
      if (!this.ids.ids.has(linked)) throw new InputError(item.line, `related item ${item.record.relatedItem.relatedItemId} links case ${linked}, which the file does not hold`);
      await this.importItem(item);
    }
    for (const o of this.inactiveOptions) {
      if (this.ids.isDone('optionsFinal', o.old)) continue;
      for (let i = 0; i < o.options.length; i += 50) {
        const options = o.options.slice(i, i + 50).map((x) => ({ ...x, active: false }));
        const res = await this.client.send(new BatchPutFieldOptionsCommand({ domainId: this.domainId, fieldId: o.fieldId, options }));
        if (res.errors?.length) throw new Error(`field ${o.old}: the target refused to deactivate options: ${res.errors.map((e) => `${e.value}: ${e.message}`).join('; ')}`);
      }
      this.ids.mark('optionsFinal', o.old);
    }
    for (const { old, template: t } of this.finalTemplates) {
      if (this.ids.isDone('templateFinal', old)) continue;
      const templateId = this.ids.ids.get(old)!;
      if (t.deleted === true) await this.client.send(new DeleteTemplateCommand({ domainId: this.domainId, templateId }));
      else {
        // Fields and rules the target did not get (deleted or missing there) cannot be referenced.
        const known = (id: string | undefined) => id === undefined || (!this.droppedFields.has(id) && (this.ids.ids.has(id) || this.targetFields.has(id)));
        const requiredFields = ((t.requiredFields ?? []) as { fieldId: string }[]).filter((f) => known(f.fieldId));
        const rules = ((t.rules ?? []) as { caseRuleId: string; fieldId?: string }[]).filter((r) => this.ids.ids.has(r.caseRuleId) && known(r.fieldId));
        await this.client.send(
          new UpdateTemplateCommand({ domainId: this.domainId, templateId, requiredFields: this.ids.remap(requiredFields), rules: this.ids.remap(rules), status: t.status ?? 'Active' }),
        );
      }
      this.ids.mark('templateFinal', old);
    }
    if (!this.ids.complete) this.ids.markComplete();
    this.ids.close();
    return { domainId: this.domainId, created: this.created, skipped: this.skipped, notImported: this.notImported };
  }

  /** After a failure: the domain this import made goes again, with its id map; a finished earlier import stays. */
  async abandon(): Promise<string | undefined> {
    if (!this.map) return undefined;
    if (!this.ownsDomain || !this.domainId) {
      this.map.close();
      return undefined;
    }
    try {
      await this.client.send(new DeleteDomainCommand({ domainId: this.domainId }));
    } catch (e) {
      // The domain stays, so does its map: a re-run continues with both.
      this.map.close();
      throw e;
    }
    this.map.discard();
    return this.domainId;
  }
}
