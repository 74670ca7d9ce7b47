import type { Handler } from '../handler.js';
import type { FieldOptionError } from '../../../model/types.js';
import { ServiceQuotaExceededException, ValidationException } from '../../protocol/errors.js';
import { optionScope, requireDomain, type FieldOptionData } from '../../cases/records.js';
import { requireLiveField } from '../../cases/metadata.js';
import { FIXED_STATUS_OPTIONS } from '../../cases/system-fields.js';

/** FieldOptionValue is documented as alphanumeric with hyphens and underscores; the spec pattern is looser. */
const VALUE_RE = /^[A-Za-z0-9_-]+$/;
const FIXED_STATUS_VALUES = new Set(FIXED_STATUS_OPTIONS.map((o) => o.value));

/**
 * Creates or updates options by `value`. Problems of single options are reported in `errors` and the other
 * options are still written; only an unusable field or the per-field quota fail the whole call.
 */
export const batchPutFieldOptions: Handler<'BatchPutFieldOptions'> = async (input, ctx) => {
  return ctx.store.write(async (tx) => {
    const domain = await requireDomain(tx, ctx.accountId, input.domainId);
    const field = (await requireLiveField(tx, domain.domainId, input.fieldId)).data;
    if (field.type !== 'SingleSelect') {
      throw new ValidationException(`Field ${field.fieldId} is of type ${field.type}; options exist for SingleSelect fields only`);
    }
    const scope = optionScope(domain.domainId, field.fieldId);
    const errors: FieldOptionError[] = [];
    const accepted: FieldOptionData[] = [];
    const seen = new Set<string>();
    let added = 0;
    for (const o of input.options) {
      const reject = (message: string) => errors.push({ value: o.value, errorCode: 'ValidationException', message });
      if (!VALUE_RE.test(o.value)) {
        reject(`Option value '${o.value}' must contain only letters, digits, hyphens and underscores`);
        continue;
      }
      if (seen.has(o.value)) {
        reject(`Option value '${o.value}' occurs more than once in the request`);
        continue;
      }
      seen.add(o.value);
      if (field.fieldId === 'status' && FIXED_STATUS_VALUES.has(o.value) && !o.active) {
        reject(`Status option '${o.value}' cannot be deactivated`);
        continue;
      }
      if (!(await tx.getResource('fieldOption', scope, o.value))) added++;
      accepted.push({ name: o.name, value: o.value, active: o.active });
    }
    if (added > 0) {
      const existing = await tx.countResources('fieldOption', scope, true);
      if (existing + added > ctx.quotas.optionsPerField) {
        throw new ServiceQuotaExceededException(
          `Field ${field.fieldId} has ${existing} options; adding ${added} would exceed the maximum of ${ctx.quotas.optionsPerField}`,
        );
      }
    }
    for (const o of accepted) {
      await tx.putResource({ kind: 'fieldOption', scope, id: o.value, name: o.name, deleted: false, data: o });
    }
    return { errors };
  });
};
