/**
 * The documents stored for metadata resources (ResourceRecord.data), and small loaders that turn a missing
 * or foreign resource into the modelled ResourceNotFoundException.
 */
import type {
  FieldAttributes,
  FieldType,
  LayoutContent,
  LayoutConfiguration,
  RequiredField,
  TemplateRule,
  TemplateStatus,
  TagPropagationConfiguration,
} from '../../model/types.js';
import type { Tx } from '../store/types.js';
import { notFound } from '../protocol/errors.js';

export interface DomainData {
  domainId: string;
  domainArn: string;
  name: string;
  createdTime: string;
  accountId: string;
}

export interface FieldData {
  fieldId: string;
  fieldArn: string;
  name: string;
  description?: string;
  type: FieldType;
  namespace: 'System' | 'Custom';
  attributes?: FieldAttributes;
  createdTime: string;
  lastModifiedTime: string;
}

export interface FieldOptionData {
  name: string;
  value: string;
  active: boolean;
}

export interface LayoutData {
  layoutId: string;
  layoutArn: string;
  name: string;
  content: LayoutContent;
  createdTime: string;
  lastModifiedTime: string;
}

export interface TemplateData {
  templateId: string;
  templateArn: string;
  name: string;
  description?: string;
  layoutConfiguration?: LayoutConfiguration;
  requiredFields: RequiredField[];
  status: TemplateStatus;
  rules?: TemplateRule[];
  tagPropagationConfigurations?: TagPropagationConfiguration[];
  createdTime: string;
  lastModifiedTime: string;
}

/** Option records live in a scope of their own per field. */
export const optionScope = (domainId: string, fieldId: string) => `${domainId}/${fieldId}`;

/** The caller's domain, or ResourceNotFoundException: another account's domain is simply not found. */
export async function requireDomain(tx: Tx, accountId: string, domainId: string): Promise<DomainData> {
  const d = await tx.getResource<DomainData>('domain', accountId, domainId);
  if (!d) throw notFound('Domain', domainId);
  return d.data;
}

export async function requireField(tx: Tx, domainId: string, fieldId: string) {
  const f = await tx.getResource<FieldData>('field', domainId, fieldId);
  if (!f) throw notFound('Field', fieldId);
  return f;
}
