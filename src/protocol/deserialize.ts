import type { OperationSpec, SpecModel } from './spec-types.js';
import { ValidationException } from './errors.js';

/**
 * restJson1 request binding: URI labels, query string members and the JSON body become one input object
 * that the validator then checks against the input shape. Type errors in the query string (a non-number
 * `maxResults`) are left to the validator, which names the member.
 */
export function deserialize(spec: SpecModel, op: OperationSpec, labels: Record<string, string>, query: URLSearchParams, body: Buffer): Record<string, unknown> {
  if (!op.input) return {};
  const shape = spec.shapes[op.input];
  let input: Record<string, unknown> = {};
  const hasBodyMembers = Object.values(shape.members ?? {}).some((m) => !m.location);
  if (hasBodyMembers && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ValidationException(`The request body is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ValidationException('The request body must be a JSON object');
    }
    input = parsed as Record<string, unknown>;
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    if (ref.location === 'uri') {
      input[name] = labels[ref.locationName ?? name];
    } else if (ref.location === 'querystring') {
      const key = ref.locationName ?? name;
      const target = spec.shapes[ref.shape];
      if (target.type === 'list') {
        const all = query.getAll(key);
        input[name] = all.length ? all : undefined;
      } else {
        const v = query.get(key);
        if (v === null) input[name] = undefined;
        else if (target.type === 'integer' || target.type === 'long') input[name] = /^-?\d+$/.test(v) ? Number(v) : v;
        else input[name] = v;
      }
    } else if (ref.location) {
      input[name] = undefined; // no input of this service binds headers
    }
  }
  return input;
}
