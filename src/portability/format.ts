/**
 * The export file: NDJSON, one record per line, in this order: `header`, `domain`, `field` (each with its
 * options), `layout`, `caseRule`, `template`, `eventConfiguration`, then per case `case` followed by that case's
 * `relatedItem` and `auditEvent` records (oldest first), and a final `end` record with the counts, so that a
 * truncated file is recognised. Deleted templates and fields that cases still use come right before the first
 * case that uses them. Records carry the public API's response shapes, timestamps as ISO-8601 strings.
 * docs/portability.md describes every record.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export const FORMAT = 'opencases-domain-export';
export const FORMAT_VERSION = 1;

type Doc = Record<string, any>;

export interface HeaderRecord {
  type: 'header';
  format: typeof FORMAT;
  version: number;
}
export interface DomainRecord {
  type: 'domain';
  /** GetDomain: domainId, domainArn, name, createdTime, domainStatus, tags. */
  domain: Doc;
}
export interface FieldRecord {
  type: 'field';
  /** BatchGetField: fieldId, name, fieldArn, type, namespace, description, attributes, times, tags, deleted. */
  field: Doc;
  /** ListFieldOptions: name, value, active. */
  options: Doc[];
}
export interface LayoutRecord {
  type: 'layout';
  layout: Doc;
}
export interface CaseRuleRecord {
  type: 'caseRule';
  caseRule: Doc;
}
export interface TemplateRecord {
  type: 'template';
  template: Doc;
}
export interface EventConfigurationRecord {
  type: 'eventConfiguration';
  eventBridge: Doc;
}
export interface CaseRecordLine {
  type: 'case';
  /** caseId, templateId, fields [{id, value}] (system fields included), tags. */
  case: { caseId: string; templateId: string; fields: { id: string; value: Doc }[]; tags: Record<string, string> };
}
export interface RelatedItemRecordLine {
  type: 'relatedItem';
  caseId: string;
  /** SearchRelatedItems item: relatedItemId, type, associationTime, content, performedBy, tags. */
  relatedItem: Doc;
}
export interface AuditEventRecordLine {
  type: 'auditEvent';
  caseId: string;
  /** GetCaseAuditEvents event. */
  event: Doc;
}
export interface EndRecord {
  type: 'end';
  counts: Counts;
}

export interface Counts {
  fields: number;
  layouts: number;
  caseRules: number;
  templates: number;
  cases: number;
  relatedItems: number;
  auditEvents: number;
}

export const emptyCounts = (): Counts => ({ fields: 0, layouts: 0, caseRules: 0, templates: 0, cases: 0, relatedItems: 0, auditEvents: 0 });

export type ExportRecord =
  | HeaderRecord
  | DomainRecord
  | FieldRecord
  | LayoutRecord
  | CaseRuleRecord
  | TemplateRecord
  | EventConfigurationRecord
  | CaseRecordLine
  | RelatedItemRecordLine
  | AuditEventRecordLine
  | EndRecord;

export const header = (): HeaderRecord => ({ type: 'header', format: FORMAT, version: FORMAT_VERSION });

/** A record as one NDJSON line. JSON.stringify turns the SDK's Date objects into ISO-8601 strings. */
export const toLine = (r: ExportRecord) => `${JSON.stringify(r)}\n`;

/** A problem of the input, located by its line number. */
export class InputError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'InputError';
  }
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The members each record type must have, and what they must be. */
const REQUIRED: Record<ExportRecord['type'], Record<string, (v: unknown) => boolean>> = {
  header: { format: (v) => v === FORMAT, version: (v) => typeof v === 'number' },
  domain: { domain: (v) => isObject(v) && isString(v.domainId) && isString(v.name) },
  field: { field: (v) => isObject(v) && isString(v.fieldId) && isString(v.name) && isString(v.type), options: Array.isArray },
  layout: { layout: (v) => isObject(v) && isString(v.layoutId) && isString(v.name) && isObject(v.content) },
  caseRule: { caseRule: (v) => isObject(v) && isString(v.caseRuleId) && isString(v.name) && isObject(v.rule) },
  template: { template: (v) => isObject(v) && isString(v.templateId) && isString(v.name) },
  eventConfiguration: { eventBridge: isObject },
  case: {
    case: (v) =>
      isObject(v) &&
      isString(v.caseId) &&
      isString(v.templateId) &&
      Array.isArray(v.fields) &&
      v.fields.every((f: unknown) => isObject(f) && isString(f.id) && isObject(f.value) && Object.keys(f.value).length === 1) &&
      (v.tags === undefined || isObject(v.tags)),
  },
  relatedItem: {
    caseId: isString,
    relatedItem: (v) => isObject(v) && isString(v.relatedItemId) && isString(v.type) && isString(v.associationTime) && isObject(v.content),
  },
  auditEvent: { caseId: isString, event: (v) => isObject(v) && isString(v.eventId) && isString(v.type) && isString(v.performedTime) && Array.isArray(v.fields) },
  end: { counts: isObject },
};

/** What a member must hold, for the error message. */
const EXPECTED: Record<string, string> = {
  format: `"${FORMAT}"`,
  version: 'a number',
  domain: 'an object with domainId and name',
  field: 'an object with fieldId, name and type',
  options: 'an array',
  layout: 'an object with layoutId, name and content',
  caseRule: 'an object with caseRuleId, name and rule',
  template: 'an object with templateId and name',
  eventBridge: 'an object',
  case: 'an object with caseId, templateId, fields [{id, value}] (each value one member) and tags',
  caseId: 'a case id',
  relatedItem: 'an object with relatedItemId, type, associationTime and content',
  event: 'an object with eventId, type, performedTime and fields',
  counts: 'an object',
};

/** Metadata sections in the order they must appear; cases and their items follow. */
const SECTION: Record<ExportRecord['type'], number> = {
  header: 0,
  domain: 1,
  field: 2,
  layout: 3,
  caseRule: 4,
  template: 5,
  eventConfiguration: 6,
  case: 7,
  relatedItem: 7,
  auditEvent: 7,
  end: 8,
};

/**
 * Checks one parsed line against the record shapes and the file's order (`state` carries what came before):
 * one header first with a version this code reads, one domain, metadata before cases, items right after their
 * case, nothing after `end`.
 */
export function checkRecord(value: unknown, line: number, state: ReadState): ExportRecord {
  if (!isObject(value)) throw new InputError(line, 'expected a JSON object');
  const type = value.type as ExportRecord['type'];
  if (!Object.hasOwn(REQUIRED, type)) throw new InputError(line, `unknown record type ${JSON.stringify(value.type)}`);
  if (state.section < 0 && type !== 'header') throw new InputError(line, `the file must start with a header record, not '${type}'; is this an opencases export?`);
  for (const [member, ok] of Object.entries(REQUIRED[type])) {
    if (!ok(value[member])) throw new InputError(line, `${type} record: '${member}' must be ${EXPECTED[member]}`);
  }
  if (type === 'header') {
    if (state.section >= 0) throw new InputError(line, 'a second header record');
    if (value.version !== FORMAT_VERSION) throw new InputError(line, `format version ${value.version} is not supported (this opencases reads version ${FORMAT_VERSION})`);
  }
  if (state.section === SECTION.end) throw new InputError(line, `a '${type}' record after the end record`);
  const section = SECTION[type];
  // Deleted templates and fields that only cases still reference come right before the first such case: among the
  // cases, or after the metadata when that case is the first one.
  const late = (type === 'template' || type === 'field') && state.section >= SECTION.template;
  if (section < state.section && !late) throw new InputError(line, `a '${type}' record after the ${sectionName(state.section)} records`);
  if (type === 'domain') {
    if (state.sawDomain) throw new InputError(line, 'a second domain record');
    state.sawDomain = true;
  } else if (section > SECTION.domain && !state.sawDomain) {
    throw new InputError(line, `a '${type}' record before the domain record`);
  }
  if (type === 'case') state.caseId = value.case.caseId;
  if ((type === 'relatedItem' || type === 'auditEvent') && value.caseId !== state.caseId) {
    throw new InputError(line, `a ${type} of case ${value.caseId} must follow that case's record`);
  }
  if (!late) state.section = section;
  const counted = COUNTED[type];
  if (counted) state.counts[counted]++;
  if (type === 'end') {
    const differs = (Object.keys(state.counts) as (keyof Counts)[]).filter((k) => value.counts[k] !== state.counts[k]);
    if (differs.length) {
      const detail = differs.map((k) => `${k}: ${value.counts[k]} stated, ${state.counts[k]} found`).join('; ');
      throw new InputError(line, `the end record counts do not match the records of the file (${detail}); the file was altered or cut`);
    }
  }
  return value as ExportRecord;
}

/** What checkRecord remembers between lines. */
export interface ReadState {
  section: number;
  sawDomain: boolean;
  /** The case the following related items and audit events belong to. */
  caseId?: string;
  counts: Counts;
}

const newReadState = (): ReadState => ({ section: -1, sawDomain: false, counts: emptyCounts() });

const COUNTED: Partial<Record<ExportRecord['type'], keyof Counts>> = {
  field: 'fields',
  layout: 'layouts',
  caseRule: 'caseRules',
  template: 'templates',
  case: 'cases',
  relatedItem: 'relatedItems',
  auditEvent: 'auditEvents',
};

const sectionName = (section: number) => Object.entries(SECTION).find(([, s]) => s === section)![0];

export interface NumberedRecord {
  line: number;
  record: ExportRecord;
}

/**
 * Reads and checks an export line by line. Fails with the line number on bad JSON, a bad record or a bad
 * order, end counts that differ from the records, and when the file ends without its `end` record (a truncated
 * or still unfinished export).
 */
export async function* readRecords(input: Readable): AsyncGenerator<NumberedRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const state = newReadState();
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InputError(n, `not valid JSON (${(e as Error).message})`);
    }
    yield { line: n, record: checkRecord(value, n, state) };
  }
  if (state.section < 0) throw new InputError(n, 'the input is empty; expected an opencases export');
  if (state.section !== SECTION.end) throw new InputError(n, 'the file ends without its end record: the export is incomplete (resume it, or export again)');
}

export const readFileRecords = (path: string) => readRecords(createReadStream(path, { encoding: 'utf8' }));

/** Checked records from memory (`opencases copy`: export piped straight into import), numbered as lines would be. */
export async function* checkedRecords(records: AsyncIterable<ExportRecord>): AsyncGenerator<NumberedRecord> {
  const state = newReadState();
  let n = 0;
  for await (const r of records) {
    n++;
    // Through JSON, as a file would be: the SDK's Dates become the same ISO strings.
    yield { line: n, record: checkRecord(JSON.parse(JSON.stringify(r)), n, state) };
  }
  if (state.section !== SECTION.end) throw new InputError(n, 'the export ended without its end record');
}
