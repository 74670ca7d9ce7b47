import type { OperationSpec, SpecModel } from './spec-types.js';
import { ValidationException } from './errors.js';

/** How one input member is bound to the HTTP request, worked out once per operation. */
interface BoundMember {
  name: string;
  location: 'uri' | 'querystring' | 'header';
  /** The URI label or query key. */
  key: string;
  /** The query value's target type: lists take every value, integers are converted. */
  kind: 'list' | 'integer' | 'scalar';
}

interface Binding {
  hasBodyMembers: boolean;
  bound: BoundMember[];
}

const bindings = new WeakMap<OperationSpec, Binding>();

function binding(spec: SpecModel, op: OperationSpec, shapeName: string): Binding {
  let b = bindings.get(op);
  if (!b) {
    const members = Object.entries(spec.shapes[shapeName].members ?? {});
    b = {
      hasBodyMembers: members.some(([, m]) => !m.location),
      bound: members.flatMap(([name, ref]): BoundMember[] => {
        if (!ref.location) return [];
        const type = spec.shapes[ref.shape].type;
        const kind = type === 'list' ? 'list' : type === 'integer' || type === 'long' ? 'integer' : 'scalar';
        return [{ name, location: ref.location, key: ref.locationName ?? name, kind }];
      }),
    };
    bindings.set(op, b);
  }
  return b;
}

/**
 * restJson1 request binding: URI labels, query string members and the JSON body become one input object
 * that the validator then checks against the input shape. Type errors in the query string (a non-number
 * `maxResults`) are left to the validator, which names the member.
 */
export function deserialize(spec: SpecModel, op: OperationSpec, labels: Record<string, string>, query: URLSearchParams, body: Buffer): Record<string, unknown> {
  if (!op.input) return {};
  const { hasBodyMembers, bound } = binding(spec, op, op.input);
  let input: Record<string, unknown> = {};
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
  for (const m of bound) {
    if (m.location === 'uri') {
      input[m.name] = labels[m.key];
    } else if (m.location === 'querystring') {
      if (m.kind === 'list') {
        const all = query.getAll(m.key);
        input[m.name] = all.length ? all : undefined;
      } else {
        const v = query.get(m.key);
        if (v === null) input[m.name] = undefined;
        else if (m.kind === 'integer') input[m.name] = /^-?\d+$/.test(v) ? Number(v) : v;
        else input[m.name] = v;
      }
    } else {
      input[m.name] = undefined; // no input of this service binds headers
    }
  }
  return input;
}
