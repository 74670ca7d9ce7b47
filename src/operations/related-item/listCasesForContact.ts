import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { requireDomain } from '../../cases/records.js';
import { isContactArn } from '../../cases/contacts.js';

/** The cases of the domain that have a Contact related item with this ARN, by case id. */
export const listCasesForContact: Handler<'ListCasesForContact'> = async (input, ctx) => {
  if (!isContactArn(input.contactArn)) {
    throw new ValidationException(
      `contactArn '${input.contactArn}' is not an Amazon Connect contact ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/contact/{contactId})`,
    );
  }
  const limit = input.maxResults ?? 10;
  return ctx.store.read(async (tx) => {
    const { domainId } = await requireDomain(tx, ctx.accountId, input.domainId);
    const tokenKind = `casesForContact:${domainId}:${input.contactArn}`;
    const afterCaseId = input.nextToken ? ctx.tokens.decode<string>(tokenKind, input.nextToken) : '';
    const rows = await tx.listCasesForContact(domainId, input.contactArn, afterCaseId, limit + 1);
    const cases = rows.slice(0, limit);
    return { cases, nextToken: rows.length > limit ? ctx.tokens.encode(tokenKind, cases[cases.length - 1].caseId) : undefined };
  });
};
