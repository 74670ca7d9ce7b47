/**
 * Tags of any taggable resource, addressed by ARN. Cases keep their tags on the case row (CreateCase and
 * SearchCases read them there); every other resource keeps them in the tags table keyed by its ARN.
 */
import type { Context } from '../context.js';
import type { Tx, ResourceKind } from '../store/types.js';
import { ValidationException, notFound } from '../protocol/errors.js';
import { parseArn, type ArnResourceType } from './arn.js';

export interface TagTarget {
  get(): Promise<Record<string, string>>;
  put(tags: Record<string, string>): Promise<void>;
}

const KIND: Record<Exclude<ArnResourceType, 'case'>, ResourceKind> = {
  domain: 'domain',
  field: 'field',
  layout: 'layout',
  template: 'template',
  'case-rule': 'caseRule',
};

/** The resource an ARN names in the caller's account and region, or ResourceNotFoundException. */
export async function tagTarget(tx: Tx, ctx: Context, arn: string): Promise<TagTarget> {
  const p = parseArn(arn);
  if (!p || p.accountId !== ctx.accountId || p.region !== ctx.region) throw notFound('Resource', arn);
  const domain = await tx.getResource('domain', ctx.accountId, p.domainId);
  if (!domain) throw notFound('Resource', arn);
  if (p.type === 'case') {
    const found = await tx.getCase(p.domainId, p.id);
    if (!found) throw notFound('Resource', arn);
    return {
      get: async () => found.tags,
      put: (tags) => tx.updateCase({ ...found, tags }, []),
    };
  }
  if (p.type !== 'domain' && !(await tx.getResource(KIND[p.type], p.domainId, p.id))) throw notFound('Resource', arn);
  return {
    get: async () => (await tx.getTags(arn)) ?? {},
    put: (tags) => tx.putTags(arn, tags),
  };
}

/**
 * Checks tags given to TagResource. The Tags shape has no constraints of its own, so the general AWS tag rules
 * apply: keys of 1-128 characters not starting with `aws:`, values of at most 256 characters. A null value
 * (the map is sparse on the wire) is refused rather than guessed at.
 */
export function checkTags(tags: Record<string, string | null>): Record<string, string> {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128) throw new ValidationException(`Tag key '${key}' must be 1 to 128 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw new ValidationException(`Tag key '${key}' uses the reserved prefix aws:`);
    if (value === null || value === undefined) throw new ValidationException(`Tag '${key}' has a null value`);
    if (value.length > 256) throw new ValidationException(`The value of tag '${key}' is longer than 256 characters`);
  }
  return tags as Record<string, string>;
}
