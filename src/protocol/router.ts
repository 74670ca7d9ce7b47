import type { SpecModel } from './spec-types.js';

interface Route {
  operation: string;
  method: string;
  /** Literal segments and label names (`{name}`) of the URI template, without a trailing slash. */
  segments: { literal?: string; label?: string }[];
}

export interface RouteMatch {
  operation: string;
  labels: Record<string, string>;
}

export class RouteError extends Error {
  constructor(
    readonly kind: 'not-found' | 'bad-label',
    message: string,
  ) {
    super(message);
  }
}

const splitPath = (path: string) => path.replace(/\/+$/, '').split('/').slice(1);

/**
 * Matches method + raw path against the spec's URI templates. Labels are matched on the raw (still encoded)
 * path segment and decoded afterwards, so an ARN sent as `/tags/arn%3Aaws%3Acases%3A...%2Fdomain%2F...` is
 * one label. Trailing slashes are ignored on both sides: the spec writes `/rules-list/` and clients send it.
 */
export class Router {
  private readonly routes: Route[];

  constructor(spec: SpecModel) {
    this.routes = Object.entries(spec.operations).map(([operation, op]) => ({
      operation,
      method: op.method,
      segments: splitPath(op.uri.split('?')[0]).map((seg) => {
        const m = /^\{(\w+)\}$/.exec(seg);
        return m ? { label: m[1] } : { literal: seg };
      }),
    }));
  }

  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = splitPath(rawPath);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const labels: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i];
        if (seg.literal !== undefined) ok = seg.literal === parts[i];
        else if (parts[i] === '') ok = false;
        else {
          try {
            labels[seg.label!] = decodeURIComponent(parts[i]);
          } catch {
            throw new RouteError('bad-label', `The path segment '${parts[i]}' is not valid percent-encoding`);
          }
        }
      }
      if (ok) return { operation: route.operation, labels };
    }
    return undefined;
  }
}
