import type { MemberRef, Shape, SpecModel } from './spec-types.js';

/**
 * Walks a value against a spec shape and returns a cleaned copy (unknown members and JSON nulls dropped, so
 * handlers only ever see modelled members) plus AWS-style constraint messages such as
 * `Value 'x' at 'fields.1.member.id' failed to satisfy constraint: Member must have length less than or equal to 500`.
 */
export interface ValidationResult {
  value: unknown;
  errors: string[];
}

const MAX_ECHO = 60;
const MAX_ERRORS = 10;
/** Far deeper than any valid request (filters nest a few levels); stops stack exhaustion on hostile input. */
const MAX_DEPTH = 64;

function echo(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.length > MAX_ECHO ? v.slice(0, MAX_ECHO) + '…' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return `'${v}'`;
  return '';
}

/** Smithy length counts Unicode code points, not UTF-16 units. */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

export class Validator {
  private readonly patterns = new Map<string, RegExp>();
  /** The members of each structure as a list, so that no request pays for Object.entries of its shapes. */
  private readonly members = new Map<string, [string, MemberRef][]>();

  constructor(private readonly spec: SpecModel) {
    for (const [name, shape] of Object.entries(spec.shapes)) {
      if (shape.type === 'structure') this.members.set(name, Object.entries(shape.members ?? {}));
      // The spec's patterns are meant as whole-value matches (`.*[\S]` means "does not end in whitespace").
      if (shape.pattern) this.patterns.set(name, new RegExp(`^(?:${shape.pattern})$`, 'su'));
    }
  }

  validate(shapeName: string, value: unknown): ValidationResult {
    const errors: string[] = [];
    const cleaned = this.walk(shapeName, value, '', errors);
    return { value: cleaned, errors };
  }

  /** Formats the errors of a failed validation as one AWS-style message. */
  static message(errors: string[]): string {
    const shown = errors.slice(0, MAX_ERRORS);
    const head = `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: `;
    return head + shown.join('; ') + (errors.length > shown.length ? '; …' : '');
  }

  private fail(errors: string[], path: string, value: unknown, constraint: string) {
    const v = echo(value);
    errors.push(`Value${v ? ' ' + v : ''} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  private walk(shapeName: string, value: unknown, path: string, errors: string[], depth = 0): unknown {
    const shape: Shape = this.spec.shapes[shapeName];
    if (depth > MAX_DEPTH) {
      errors.push(`Value at '${path}' failed to satisfy constraint: Member must not be nested more than ${MAX_DEPTH} levels deep`);
      return undefined;
    }
    switch (shape.type) {
      case 'structure':
        return this.walkStructure(shapeName, shape, value, path, errors, depth);
      case 'list': {
        if (!Array.isArray(value)) return this.fail(errors, path, value, 'Member must be a list');
        this.checkLength(shape, value.length, value, path, errors);
        return value.map((item, i) => {
          const p = `${path}.${i + 1}.member`;
          if (item === null || item === undefined) {
            if (!shape.sparse) this.fail(errors, p, null, 'Member must not be null');
            return null;
          }
          return this.walk(shape.member!, item, p, errors, depth + 1);
        });
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return this.fail(errors, path, value, 'Member must be a map');
        }
        const entries = Object.entries(value as Record<string, unknown>);
        this.checkLength(shape, entries.length, '', path, errors);
        // Built with fromEntries: an assignment out['__proto__'] = v would set the prototype, not add the key.
        return Object.fromEntries(
          entries.map(([k, v]) => {
            this.walk(shape.key!, k, `${path}.key`, errors);
            if (v !== null) return [k, this.walk(shape.value!, v, `${path}.${k}`, errors, depth + 1)];
            if (!shape.sparse) this.fail(errors, `${path}.${k}`, null, 'Member must not be null');
            return [k, null];
          }),
        );
      }
      case 'string': {
        // The value of a sensitive shape (CustomEntity, SlaName) is left out of the messages, as Smithy's server
        // validation leaves it out: "Value at 'x' failed to satisfy constraint: ...".
        const shown = shape.sensitive ? undefined : value;
        if (typeof value !== 'string') return this.fail(errors, path, shown, 'Member must be a string');
        if (shape.enum && !shape.enum.includes(value)) {
          this.fail(errors, path, shown, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        if (shape.min !== undefined || shape.max !== undefined) {
          const len = value.length > (shape.max ?? Infinity) || value.length < (shape.min ?? 0) ? codePointLength(value) : value.length;
          this.checkLength(shape, len, shown, path, errors);
        }
        const re = this.patterns.get(shapeName);
        if (re && !re.test(value)) this.fail(errors, path, shown, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        return value;
      }
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(errors, path, value, 'Member must be an integer');
        this.checkRange(shape, value, path, errors);
        return value;
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) return this.fail(errors, path, value, 'Member must be a number');
        this.checkRange(shape, value, path, errors);
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') return this.fail(errors, path, value, 'Member must be a boolean');
        return value;
      case 'timestamp':
        if (typeof value !== 'string' && typeof value !== 'number') return this.fail(errors, path, value, 'Member must be a timestamp');
        return value;
    }
  }

  private walkStructure(shapeName: string, shape: Shape, value: unknown, path: string, errors: string[], depth: number) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(errors, path || shapeName, value, 'Member must be a structure');
    }
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const prefix = path ? `${path}.` : '';
    for (const [name, ref] of this.members.get(shapeName)!) {
      const v = src[name];
      if (v === undefined || v === null) continue;
      out[name] = this.walk(ref.shape, v, prefix + name, errors, depth + 1);
    }
    // Judged on the input: a member given with the wrong type has its own error already.
    for (const req of shape.required ?? []) {
      if (src[req] === undefined || src[req] === null) this.fail(errors, prefix + req, null, 'Member must not be null');
    }
    if (shape.union) {
      const set = Object.keys(out).length;
      if (set !== 1) {
        errors.push(`Value at '${path || shapeName}' failed to satisfy constraint: Union must have exactly one member set, found ${set}`);
      }
    }
    return out;
  }

  private checkLength(shape: Shape, len: number, value: unknown, path: string, errors: string[]) {
    if (shape.min !== undefined && len < shape.min) this.fail(errors, path, value, `Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && len > shape.max) this.fail(errors, path, value, `Member must have length less than or equal to ${shape.max}`);
  }

  private checkRange(shape: Shape, n: number, path: string, errors: string[]) {
    if (shape.min !== undefined && n < shape.min) this.fail(errors, path, n, `Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) this.fail(errors, path, n, `Member must have value less than or equal to ${shape.max}`);
  }
}
