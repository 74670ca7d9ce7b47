/**
 * Spec-driven fuzzing: for every operation, valid requests generated from the input shape and mutated ones
 * (wrong types, missing and extra members, oversize strings and lists, unions with zero or two members,
 * malformed JSON, odd label encodings, huge bodies), sent as signed raw HTTP so that nothing in between
 * repairs them. The checks: no 5xx, the server stays up, and every error is one the SDK maps to a modelled
 * exception (status + X-Amzn-ErrorType + JSON `message`).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { spec } from '../../model/spec.js';
import type { Shape } from '../../src/protocol/spec-types.js';

/** mulberry32: a small seeded PRNG so a failing run can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof prng>;

/** Real ids the generator mixes into labels and id members so that requests reach handlers' deeper paths. */
export interface FuzzIds {
  domainId: string;
  caseId?: string;
  fieldIds: string[];
  templateId?: string;
  layoutId?: string;
  arn?: string;
  /** Targets for DeleteDomain / DeleteCase, so that the seeded resources survive the whole run. */
  decoyDomainId?: string;
  decoyCaseId?: string;
}

const ODD_STRINGS = ['', ' ', 'a '.repeat(3), '\u0000', '💥', 'é', '%', '../../etc', '{"x":1}', 'null', 'x'.repeat(5000), '\ud800'];

function genString(shapeName: string, shape: Shape, rng: Rng, ids: FuzzIds): string {
  if (shape.enum) return rng.pick(shape.enum);
  const lower = shapeName.toLowerCase();
  if (lower.includes('domainid')) return ids.domainId;
  if (lower.includes('caseid') && ids.caseId) return ids.caseId;
  if (lower.includes('fieldid') && ids.fieldIds.length) return rng.pick(ids.fieldIds);
  if (lower.includes('templateid') && ids.templateId) return ids.templateId;
  if (lower.includes('layoutid') && ids.layoutId) return ids.layoutId;
  if (lower === 'arn' && ids.arn) return ids.arn;
  if (shape.pattern?.startsWith('(?!')) return `k${rng.int(0, 99)}`; // tag keys
  const len = Math.max(shape.min ?? 1, Math.min(shape.max ?? 12, rng.int(1, 12)));
  let s = '';
  for (let i = 0; i < len; i++) s += rng.pick('abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
  return s;
}

/** A value of the shape that satisfies its constraints (most of the time: uniqueness and existence aside). */
export function generate(shapeName: string, rng: Rng, ids: FuzzIds, depth = 0): unknown {
  const shape = spec.shapes[shapeName];
  switch (shape.type) {
    case 'string':
      return genString(shapeName, shape, rng, ids);
    case 'integer':
    case 'long':
      return rng.int(shape.min ?? 0, Math.min(shape.max ?? 100, (shape.min ?? 0) + 100));
    case 'double':
      return rng.next() * 1000;
    case 'boolean':
      return rng.chance(0.5);
    case 'timestamp':
      return new Date().toISOString();
    case 'list': {
      const n = depth > 4 ? shape.min ?? 0 : Math.max(shape.min ?? 0, Math.min(shape.max ?? 3, rng.int(0, 3)));
      return Array.from({ length: n }, () => generate(shape.member!, rng, ids, depth + 1));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < rng.int(0, 2); i++) out[String(generate(shape.key!, rng, ids, depth + 1))] = generate(shape.value!, rng, ids, depth + 1);
      return out;
    }
    case 'structure': {
      const members = Object.entries(shape.members ?? {});
      const out: Record<string, unknown> = {};
      if (shape.union) {
        // Deep recursive unions (filters, conditions) bottom out in their non-recursive members.
        const choices = depth > 3 ? members.filter(([, m]) => !['list', 'structure'].includes(spec.shapes[m.shape].type) || m.shape === 'EmptyFieldValue') : members;
        const [name, m] = rng.pick(choices.length ? choices : members);
        out[name] = generate(m.shape, rng, ids, depth + 1);
        return out;
      }
      const required = new Set(shape.required ?? []);
      for (const [name, m] of members) {
        if (required.has(name) || (depth < 4 && rng.chance(0.5))) out[name] = generate(m.shape, rng, ids, depth + 1);
      }
      return out;
    }
  }
}

/** Applies one random mutation somewhere in the value. */
export function mutate(shapeName: string, value: unknown, rng: Rng): unknown {
  const shape = spec.shapes[shapeName];
  const roll = rng.next();
  if (roll < 0.12) return rng.pick<unknown>([null, 42, -1, 1e308, 'str', true, [], {}, [1, 2], { a: 1 }]);
  if (shape.type === 'string' && roll < 0.4) return rng.pick(ODD_STRINGS.concat(['x'.repeat((shape.max ?? 100) + 1)]));
  if (shape.type === 'list' && Array.isArray(value)) {
    if (roll < 0.3) return Array.from({ length: (shape.max ?? 50) + 1 }, () => value[0] ?? 'x');
    if (value.length) {
      const i = rng.int(0, value.length - 1);
      const copy = [...value];
      copy[i] = mutate(shape.member!, copy[i], rng);
      return copy;
    }
    return [null];
  }
  if (shape.type === 'structure' && value && typeof value === 'object') {
    const obj = { ...(value as Record<string, unknown>) };
    const members = Object.entries(shape.members ?? {});
    if (roll < 0.25 && shape.required?.length) delete obj[rng.pick(shape.required)];
    else if (roll < 0.35) obj[`extra${rng.int(0, 9)}`] = 'unexpected';
    else if (shape.union && roll < 0.5) {
      // zero or two members set
      if (rng.chance(0.5)) return {};
      for (const [name, m] of members.slice(0, 2)) obj[name] = generate(m.shape, rng, { domainId: 'd', fieldIds: [] }, 5);
    } else if (members.length) {
      const [name, m] = rng.pick(members);
      obj[name] = mutate(m.shape, obj[name] ?? generate(m.shape, rng, { domainId: 'd', fieldIds: [] }, 5), rng);
    }
    return obj;
  }
  if ((shape.type === 'integer' || shape.type === 'long' || shape.type === 'double') && roll < 0.5) {
    return rng.pick([-1, 0, 2 ** 53, (shape.max ?? 0) + 1, 1.5, Number.MAX_VALUE]);
  }
  return rng.pick<unknown>([null, 'mutated', 7, false]);
}

export interface BuiltRequest {
  operation: string;
  method: string;
  path: string;
  body: string | undefined;
  kind: 'valid' | 'mutated' | 'malformed-json' | 'odd-label' | 'huge' | 'odd-target';
}

const ODD_LABELS = ['%ZZ', '%', '%00', '%2F%2F', encodeURIComponent('💥'), 'a'.repeat(3000), '..', '%252F', 'ｆｕｌｌ', '%ED%A0%80'];

/** Percent-encodes a label; a lone surrogate (which encodeURIComponent refuses) goes out as its raw UTF-8 bytes. */
function encodeLabel(label: string): string {
  try {
    return encodeURIComponent(label);
  } catch {
    return '%ED%A0%80';
  }
}

/** Builds the HTTP form of an input: labels into the URI, query members into the query string, the rest as JSON. */
export function buildRequest(operation: string, rng: Rng, targets: FuzzIds): BuiltRequest {
  const op = spec.operations[operation];
  const ids =
    operation === 'DeleteDomain'
      ? { ...targets, domainId: targets.decoyDomainId ?? targets.domainId }
      : operation === 'DeleteCase'
        ? { ...targets, caseId: targets.decoyCaseId ?? targets.caseId }
        : targets;
  const valid = op.input ? (generate(op.input, rng, ids) as Record<string, unknown>) : {};
  let input = valid;
  const roll = rng.next();
  let kind: BuiltRequest['kind'] = 'valid';
  if (op.input && roll < 0.55) {
    input = mutate(op.input, valid, rng) as Record<string, unknown>;
    kind = 'mutated';
    if (!input || typeof input !== 'object' || Array.isArray(input)) input = { __raw: input } as Record<string, unknown>;
  }
  const members = op.input ? spec.shapes[op.input].members ?? {} : {};
  let path = op.uri;
  const query = new URLSearchParams();
  const body: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(input)) {
    const ref = members[name];
    if (!ref) {
      body[name] = v;
      continue;
    }
    if (ref.location === 'uri') {
      const label = v === undefined || v === null || v === '' ? 'x' : String(typeof v === 'object' ? JSON.stringify(v) : v);
      path = path.replace(`{${ref.locationName}}`, encodeLabel(label));
    } else if (ref.location === 'querystring') {
      for (const item of Array.isArray(v) ? v : [v]) query.append(ref.locationName!, String(item));
    } else body[name] = v;
  }
  path = path.replace(/\{(\w+)\}/g, () => 'missing');
  let text: string | undefined = JSON.stringify(body);
  if (kind === 'valid' && roll > 0.9) {
    kind = 'malformed-json';
    text = rng.pick(['{', '{"a":', '[1,2', '\u0000', 'nul', '{"a":1}}', '"\\ud800"', '{'.repeat(10000)]);
  } else if (kind === 'valid' && roll > 0.85) {
    kind = 'odd-label';
    const parts = path.split('/');
    const labelIdx = parts.findIndex((p, i) => i > 1 && !/^[a-z-]+$/.test(p));
    if (labelIdx > 0) parts[labelIdx] = rng.pick(ODD_LABELS);
    path = parts.join('/');
  } else if (kind === 'valid' && roll > 0.83) {
    kind = 'huge';
    text = JSON.stringify({ ...body, padding: 'p'.repeat(rng.int(1, 3) * 1024 * 1024) });
  } else if (kind === 'valid' && roll > 0.81) {
    // Targets a URL parser reads as a host or a backslash ('//domains', '//@/domains'): once a 500.
    kind = 'odd-target';
    path = rng.pick(['/', '//@', '/\\', '/x/..']) + path;
  }
  const qs = query.toString();
  return { operation, method: op.method, path: qs ? `${path}?${qs}` : path, body: op.method === 'GET' ? undefined : text, kind };
}

export interface FuzzResponse {
  status: number;
  errorType: string | null;
  body: string;
}

/** Sends a signed raw request; the signature covers exactly what is sent. */
export async function send(endpoint: string, req: BuiltRequest, credentials = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz' }): Promise<FuzzResponse> {
  const url = new URL(endpoint);
  const [path, qs] = req.path.split('?');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs ?? '')) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'cases', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host, 'content-type': 'application/json' },
      body: req.body,
    }),
  );
  const res = await fetch(`${endpoint}${req.path}`, { method: req.method, headers: signed.headers as Record<string, string>, body: req.body });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.text() };
}

const COMMON_ERRORS = new Set([
  'ValidationException',
  'AccessDeniedException',
  'ThrottlingException',
  'UnknownOperationException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
]);

/** Why a response breaks the contract, or undefined when it is fine. */
export function violation(req: BuiltRequest, res: FuzzResponse): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status} ${res.errorType}: ${res.body.slice(0, 200)}`;
  if (res.status < 300) {
    try {
      JSON.parse(res.body || '{}');
    } catch {
      return `success body is not JSON: ${res.body.slice(0, 100)}`;
    }
    return undefined;
  }
  const op = spec.operations[req.operation];
  if (!res.errorType) return `error ${res.status} without X-Amzn-ErrorType`;
  if (!op.errors.includes(res.errorType) && !COMMON_ERRORS.has(res.errorType)) return `unmodelled error type ${res.errorType}`;
  const shape = spec.shapes[res.errorType];
  if (shape?.error && shape.error.httpStatusCode !== res.status) return `${res.errorType} with status ${res.status}, spec says ${shape.error.httpStatusCode}`;
  try {
    const parsed = JSON.parse(res.body);
    if (typeof parsed.message !== 'string') return 'error body has no message';
  } catch {
    return `error body is not JSON: ${res.body.slice(0, 100)}`;
  }
  return undefined;
}

export interface FuzzRun {
  requests: number;
  byKind: Record<string, number>;
  serverErrors: number;
  violations: string[];
}

/** Sends `requests` fuzzed requests over all operations with a few in flight at once. */
export async function runFuzz(endpoint: string, ids: FuzzIds, requests: number, seed: number, concurrency = 8): Promise<FuzzRun> {
  const rng = prng(seed);
  const operations = Object.keys(spec.operations);
  const run: FuzzRun = { requests: 0, byKind: {}, serverErrors: 0, violations: [] };
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const n = next++;
      const req = buildRequest(operations[n % operations.length], rng, ids);
      run.byKind[req.kind] = (run.byKind[req.kind] ?? 0) + 1;
      const res = await send(endpoint, req);
      run.requests++;
      if (res.status >= 500) run.serverErrors++;
      const v = violation(req, res);
      if (v && run.violations.length < 20) run.violations.push(`#${n} ${req.operation} ${req.kind} ${req.method} ${req.path.slice(0, 120)}: ${v}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return run;
}
