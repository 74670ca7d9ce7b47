import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { requireCase } from '../../cases/case-writes.js';

/**
 * Returns the requested fields that hold a value, in request order, each once. All of them fit in one answer
 * (at most 220 ids), so GetCase never pages: it returns no nextToken and accepts none.
 */
export const getCase: Handler<'GetCase'> = async (input, ctx) => {
  if (input.nextToken) {
    throw new ValidationException('The nextToken is not valid: GetCase returns every requested field in one response and issues no nextToken');
  }
  const record = await ctx.store.read(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    return requireCase(tx, domain.domainId, input.caseId);
  });
  const ids = [...new Set(input.fields.map((f) => f.id))];
  return {
    // hasOwn: ids such as `constructor` or `__proto__` must not reach the object's prototype.
    fields: ids.filter((id) => Object.hasOwn(record.fields, id)).map((id) => ({ id, value: record.fields[id] })),
    templateId: record.templateId,
    tags: record.tags,
  };
};
