/** ARN forms of the Service Authorization Reference (FACTS.md). */
const base = (region: string, account: string) => `arn:aws:cases:${region}:${account}`;

export const domainArn = (region: string, account: string, domainId: string) => `${base(region, account)}:domain/${domainId}`;
export const fieldArn = (region: string, account: string, domainId: string, fieldId: string) =>
  `${domainArn(region, account, domainId)}/field/${fieldId}`;
export const layoutArn = (region: string, account: string, domainId: string, layoutId: string) =>
  `${domainArn(region, account, domainId)}/layout/${layoutId}`;
export const templateArn = (region: string, account: string, domainId: string, templateId: string) =>
  `${domainArn(region, account, domainId)}/template/${templateId}`;
export const caseRuleArn = (region: string, account: string, domainId: string, caseRuleId: string) =>
  `${domainArn(region, account, domainId)}/case-rule/${caseRuleId}`;
export const caseArn = (region: string, account: string, domainId: string, caseId: string) =>
  `${domainArn(region, account, domainId)}/case/${caseId}`;
export const relatedItemArn = (region: string, account: string, domainId: string, caseId: string, relatedItemId: string) =>
  `${caseArn(region, account, domainId, caseId)}/related-item/${relatedItemId}`;

export type ArnResourceType = 'domain' | 'field' | 'layout' | 'template' | 'case-rule' | 'case';

export interface ParsedArn {
  region: string;
  accountId: string;
  domainId: string;
  /** The resource the ARN names; for a domain ARN, `domain` with id = domainId. */
  type: ArnResourceType;
  id: string;
}

const ARN_RE = /^arn:aws:cases:([a-z0-9-]+):(\d{12}):domain\/([^/]+)(?:\/(field|layout|template|case-rule|case)\/([^/]+))?$/;

/** Parses a taggable Cases ARN; undefined for anything else. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN_RE.exec(arn);
  if (!m) return undefined;
  return { region: m[1], accountId: m[2], domainId: m[3], type: (m[4] as ArnResourceType) ?? 'domain', id: m[5] ?? m[3] };
}
