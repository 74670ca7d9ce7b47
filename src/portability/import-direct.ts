/**
 * Import straight into an opencases database (a SQLite data dir or PostgreSQL): ids, timestamps, reference
 * numbers, related items and the audit history are written exactly as exported. Everything happens in one
 * store transaction, so a failed import leaves nothing behind. Re-running is safe: what already exists (the
 * domain, a field, a case with its items and history...) is kept as it is and skipped.
 */
import type { CaseRecord, RelatedItemRecord, Store, Tx } from '../store/types.js';
import { caseRuleArn, domainArn, fieldArn, layoutArn, parseArn, templateArn } from '../cases/arn.js';
import { optionScope, type DomainData, type FieldData, type FieldOptionData, type LayoutData, type TemplateData } from '../cases/records.js';
import type { CaseRuleData } from '../cases/case-rules.js';
import { EVENT_CONFIG_ID, type EventConfigData } from '../events/config.js';
import { FIXED_STATUS_OPTIONS, SYSTEM_FIELDS } from '../cases/system-fields.js';
import { CONTENT_MEMBER } from '../cases/related-items.js';
import { emptyCounts, InputError, type Counts, type ExportRecord, type NumberedRecord } from './format.js';

export interface DirectImportOptions {
  /** Account that owns the domain; default: the account in the exported domain ARN. */
  accountId?: string;
  /** Region of the ARNs; must be the region the server runs with. */
  region: string;
  now?: () => Date;
}

export interface ImportSummary {
  domainId: string;
  created: Counts;
  /** Records that were already there (a re-run) and were left as they are. */
  skipped: Counts;
  /** Records the target could not take (API path: audit events). */
  notImported: Counts;
}

const RELATED_ITEM_TYPES = new Set(Object.keys(CONTENT_MEMBER));

/** The value a related item type's search filter matches (RelatedItemRecord.searchKey). */
function searchKey(type: string, content: Record<string, any>): string | null {
  switch (type) {
    case 'Contact':
      return content.contact.contactArn;
    case 'File':
      return content.file.fileArn;
    case 'ConnectCase':
      return content.connectCase.caseId;
    case 'Sla':
      return content.sla.slaConfiguration.name;
    default:
      return null;
  }
}

/** Content as the store keeps it: an SLA's status is computed when it is read, never stored. */
function storedContent(type: string, content: Record<string, any>): Record<string, unknown> {
  if (type !== 'Sla') return content;
  const { status: _status, ...sla } = content.sla.slaConfiguration;
  return { sla: { slaConfiguration: sla } };
}

const valueMap = (fields: { id: string; value: Record<string, any> }[]) => Object.fromEntries(fields.map((f) => [f.id, f.value])) as CaseRecord['fields'];

/**
 * Imports the records `read()` yields (called again from the start if the store re-runs the transaction).
 * Throws InputError (with the line) for records the target cannot take; nothing is written then.
 */
export async function importDirect(store: Store, read: () => AsyncIterable<NumberedRecord>, opts: DirectImportOptions): Promise<ImportSummary> {
  const now = (opts.now ?? (() => new Date()))().toISOString();
  return store.write(async (tx) => {
    const run = new DirectImport(tx, opts.region, now, opts.accountId);
    for await (const { line, record } of read()) await run.apply(record, line);
    return run.summary();
  });
}

class DirectImport {
  private accountId = '';
  private domainId = '';
  private created = emptyCounts();
  private skipped = emptyCounts();
  private domainCreated = false;
  /** Items and history of a case that already existed are skipped with it. */
  private skippingCase = false;

  constructor(
    private readonly tx: Tx,
    private readonly region: string,
    private readonly now: string,
    private readonly account?: string,
  ) {}

  summary(): ImportSummary {
    return { domainId: this.domainId, created: this.created, skipped: this.skipped, notImported: emptyCounts() };
  }

  private count(key: keyof Counts, created: boolean) {
    (created ? this.created : this.skipped)[key]++;
  }

  private async tags(arn: string, tags: Record<string, string> | undefined) {
    if (tags && Object.keys(tags).length) await this.tx.putTags(arn, tags);
  }

  async apply(r: ExportRecord, line: number): Promise<void> {
    const tx = this.tx;
    const { region } = this;
    const d = this.domainId;
    switch (r.type) {
      case 'header':
        return;
      case 'domain': {
        const source = r.domain;
        this.accountId = this.account ?? parseArn(String(source.domainArn ?? ''))?.accountId ?? '';
        if (!this.accountId) throw new InputError(line, 'the domain record has no domain ARN to take the account from; pass --account-id');
        if (!/^\d{12}$/.test(this.accountId)) throw new InputError(line, `the account id '${this.accountId}' is not 12 digits`);
        this.domainId = source.domainId;
        if (await tx.getResource('domain', this.accountId, source.domainId)) return;
        // Every domain keeps its system fields: fields under this id with no domain of this account mean that another
        // account holds the domain. Importing beside it would mix the two accounts' data under one domain id.
        if ((await tx.countResources('field', source.domainId, true)) > 0) {
          throw new InputError(
            line,
            `domain ${source.domainId} already exists in this data directory under another account; import into another data directory, or with that account's --account-id`,
          );
        }
        const sameName = await tx.findResourceByName<DomainData>('domain', this.accountId, source.name);
        if (sameName) {
          throw new InputError(line, `account ${this.accountId} already has another domain named '${source.name}' (${sameName.id}); domain names are unique per account`);
        }
        const domain: DomainData = {
          domainId: source.domainId,
          domainArn: domainArn(region, this.accountId, source.domainId),
          name: source.name,
          createdTime: source.createdTime ?? this.now,
          accountId: this.accountId,
        };
        await tx.putResource({ kind: 'domain', scope: this.accountId, id: domain.domainId, name: domain.name, deleted: false, data: domain });
        await this.tags(domain.domainArn, source.tags);
        this.domainCreated = true;
        return;
      }
      case 'field': {
        const f = r.field;
        const exists = await tx.getResource('field', d, f.fieldId);
        this.count('fields', !exists);
        if (!exists) {
          const data: FieldData = {
            fieldId: f.fieldId,
            fieldArn: fieldArn(region, this.accountId, d, f.fieldId),
            name: f.name,
            description: f.description,
            type: f.type,
            namespace: f.namespace ?? 'Custom',
            attributes: f.attributes,
            createdTime: f.createdTime ?? this.now,
            lastModifiedTime: f.lastModifiedTime ?? f.createdTime ?? this.now,
          };
          await tx.putResource({ kind: 'field', scope: d, id: f.fieldId, name: f.name, deleted: f.deleted === true, data });
          await this.tags(data.fieldArn, f.tags);
        }
        for (const o of r.options) {
          if (typeof o?.value !== 'string' || typeof o.name !== 'string') throw new InputError(line, `field ${f.fieldId}: every option needs a name and a value`);
          const scope = optionScope(d, f.fieldId);
          if (await tx.getResource('fieldOption', scope, o.value)) continue;
          const option: FieldOptionData = { name: o.name, value: o.value, active: o.active !== false };
          await tx.putResource({ kind: 'fieldOption', scope, id: o.value, name: o.name, deleted: false, data: option });
        }
        return;
      }
      case 'layout': {
        const l = r.layout;
        const exists = await tx.getResource('layout', d, l.layoutId);
        this.count('layouts', !exists);
        if (exists) return;
        const data: LayoutData = {
          layoutId: l.layoutId,
          layoutArn: layoutArn(region, this.accountId, d, l.layoutId),
          name: l.name,
          content: l.content,
          createdTime: l.createdTime ?? this.now,
          lastModifiedTime: l.lastModifiedTime ?? l.createdTime ?? this.now,
        };
        await tx.putResource({ kind: 'layout', scope: d, id: l.layoutId, name: l.name, deleted: l.deleted === true, data });
        await this.tags(data.layoutArn, l.tags);
        return;
      }
      case 'caseRule': {
        const c = r.caseRule;
        const exists = await tx.getResource('caseRule', d, c.caseRuleId);
        this.count('caseRules', !exists);
        if (exists) return;
        const data: CaseRuleData = {
          caseRuleId: c.caseRuleId,
          caseRuleArn: caseRuleArn(region, this.accountId, d, c.caseRuleId),
          name: c.name,
          description: c.description,
          rule: c.rule,
          createdTime: c.createdTime ?? this.now,
          lastModifiedTime: c.lastModifiedTime ?? c.createdTime ?? this.now,
        };
        await tx.putResource({ kind: 'caseRule', scope: d, id: c.caseRuleId, name: c.name, deleted: c.deleted === true, data });
        await this.tags(data.caseRuleArn, c.tags);
        return;
      }
      case 'template': {
        const t = r.template;
        const exists = await tx.getResource('template', d, t.templateId);
        this.count('templates', !exists);
        if (exists) return;
        const data: TemplateData = {
          templateId: t.templateId,
          templateArn: templateArn(region, this.accountId, d, t.templateId),
          name: t.name,
          description: t.description,
          layoutConfiguration: t.layoutConfiguration,
          requiredFields: t.requiredFields ?? [],
          status: t.status ?? 'Active',
          rules: t.rules,
          tagPropagationConfigurations: t.tagPropagationConfigurations,
          createdTime: t.createdTime ?? this.now,
          lastModifiedTime: t.lastModifiedTime ?? t.createdTime ?? this.now,
        };
        await tx.putResource({ kind: 'template', scope: d, id: t.templateId, name: t.name, deleted: t.deleted === true, data });
        await this.tags(data.templateArn, t.tags);
        return;
      }
      case 'eventConfiguration': {
        await this.completeSystemFields();
        if (await tx.getResource('eventConfig', d, EVENT_CONFIG_ID)) return;
        const data: EventConfigData = { eventBridge: r.eventBridge as EventConfigData['eventBridge'] };
        await tx.putResource({ kind: 'eventConfig', scope: d, id: EVENT_CONFIG_ID, name: null, deleted: false, data });
        return;
      }
      case 'case': {
        const c = r.case;
        // In a domain this import creates, no case can exist yet: the look-up is only needed on a re-run.
        const exists = !this.domainCreated && (await tx.getCase(d, c.caseId));
        this.skippingCase = !!exists;
        this.count('cases', !exists);
        if (exists) return;
        const fields = valueMap(c.fields);
        const createdTime = fields.created_datetime?.stringValue ?? this.now;
        // The SQLite search reads the case id and the update time from the case row (docs/search.md): the fields
        // must hold the same, as the server's own cases do.
        if (fields.case_id && fields.case_id.stringValue !== c.caseId) {
          throw new InputError(line, `case ${c.caseId}: its case_id field holds ${JSON.stringify(fields.case_id.stringValue ?? fields.case_id)}`);
        }
        fields.case_id = { stringValue: c.caseId };
        fields.last_updated_datetime ??= { stringValue: createdTime };
        await tx.insertCase({
          domainId: d,
          caseId: c.caseId,
          templateId: c.templateId,
          referenceNumber: fields.reference_number?.stringValue ?? '',
          createdTime,
          lastUpdatedTime: fields.last_updated_datetime.stringValue!,
          fields,
          tags: c.tags ?? {},
        });
        return;
      }
      case 'relatedItem': {
        const item = r.relatedItem;
        this.count('relatedItems', !this.skippingCase);
        if (this.skippingCase) return;
        const member = CONTENT_MEMBER[item.type as keyof typeof CONTENT_MEMBER];
        if (!RELATED_ITEM_TYPES.has(item.type) || typeof item.content[member] !== 'object') {
          throw new InputError(line, `related item ${item.relatedItemId}: type ${JSON.stringify(item.type)} needs content.${member ?? '(a known type)'}`);
        }
        const record: RelatedItemRecord = {
          domainId: d,
          caseId: r.caseId,
          relatedItemId: item.relatedItemId,
          type: item.type,
          associationTime: item.associationTime,
          content: storedContent(item.type, item.content),
          performedBy: item.performedBy,
          searchKey: searchKey(item.type, item.content),
        };
        await tx.insertRelatedItem(record);
        return;
      }
      case 'auditEvent':
        this.count('auditEvents', !this.skippingCase);
        if (!this.skippingCase) await tx.appendAudit({ domainId: d, caseId: r.caseId, event: r.event });
        return;
      case 'end':
        return;
    }
  }

  /** An export from another service may lack system fields opencases has; a new domain gets them as CreateDomain would. */
  private async completeSystemFields() {
    if (!this.domainCreated) return;
    const d = this.domainId;
    for (const f of SYSTEM_FIELDS) {
      if (await this.tx.getResource('field', d, f.id)) continue;
      const field: FieldData = {
        fieldId: f.id,
        fieldArn: fieldArn(this.region, this.accountId, d, f.id),
        name: f.name,
        description: f.description,
        type: f.type,
        namespace: 'System',
        createdTime: this.now,
        lastModifiedTime: this.now,
      };
      await this.tx.putResource({ kind: 'field', scope: d, id: f.id, name: f.name, deleted: false, data: field });
    }
    for (const o of FIXED_STATUS_OPTIONS) {
      const scope = optionScope(d, 'status');
      if (await this.tx.getResource('fieldOption', scope, o.value)) continue;
      await this.tx.putResource({ kind: 'fieldOption', scope, id: o.value, name: o.name, deleted: false, data: { ...o, active: true } });
    }
  }
}
