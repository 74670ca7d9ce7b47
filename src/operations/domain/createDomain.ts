import type { Handler } from '../handler.js';
import { ConflictException, ServiceQuotaExceededException } from '../../protocol/errors.js';
import { domainArn, fieldArn } from '../../cases/arn.js';
import { FIXED_STATUS_OPTIONS, SYSTEM_FIELDS } from '../../cases/system-fields.js';
import { optionScope, type DomainData, type FieldData, type FieldOptionData } from '../../cases/records.js';

export const createDomain: Handler<'CreateDomain'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    if (await tx.findResourceByName('domain', ctx.accountId, input.name)) {
      throw new ConflictException(`A domain named '${input.name}' already exists in this account`);
    }
    if ((await tx.countResources('domain', ctx.accountId, false)) >= ctx.quotas.domainsPerAccount) {
      throw new ServiceQuotaExceededException(`This account already has the maximum of ${ctx.quotas.domainsPerAccount} domains`);
    }
    const domainId = ctx.newId();
    const now = ctx.now().toISOString();
    const domain: DomainData = {
      domainId,
      domainArn: domainArn(ctx.region, ctx.accountId, domainId),
      name: input.name,
      createdTime: now,
      accountId: ctx.accountId,
    };
    await tx.putResource({ kind: 'domain', scope: ctx.accountId, id: domainId, name: input.name, deleted: false, data: domain });
    for (const f of SYSTEM_FIELDS) {
      const field: FieldData = {
        fieldId: f.id,
        fieldArn: fieldArn(ctx.region, ctx.accountId, domainId, f.id),
        name: f.name,
        description: f.description,
        type: f.type,
        namespace: 'System',
        createdTime: now,
        lastModifiedTime: now,
      };
      await tx.putResource({ kind: 'field', scope: domainId, id: f.id, name: f.name, deleted: false, data: field });
    }
    for (const o of FIXED_STATUS_OPTIONS) {
      const option: FieldOptionData = { ...o, active: true };
      await tx.putResource({ kind: 'fieldOption', scope: optionScope(domainId, 'status'), id: o.value, name: o.name, deleted: false, data: option });
    }
    return { domainId, domainArn: domain.domainArn, domainStatus: 'Active' as const };
  });
};
