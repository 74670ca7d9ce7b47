import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { spec } from '../../model/spec.js';
import type { OperationName } from '../../model/types.js';
import { Router, RouteError } from './router.js';
import { Validator } from './validate.js';
import { deserialize } from './deserialize.js';
import { ServiceError, ValidationException, toErrorResponse } from './errors.js';
import type { Authenticator } from '../auth/sigv4.js';
import type { Handlers } from '../operations/handler.js';
import type { Context } from '../context.js';
import { SESSION_PATH, UI_API_PREFIX, workspaceCaller, type Workspace } from '../web/sessions.js';
import type { StaticFiles } from '../web/static.js';

export interface PipelineDeps {
  handlers: Handlers;
  auth: Authenticator;
  logger: Logger;
  /** Everything of the Context except what comes from the request. */
  context: Omit<Context, 'accountId' | 'requestId' | 'caller'>;
  maxBodyBytes: number;
  version: string;
  /** The web workspace: its sessions, and the built app served to browsers. */
  workspace?: { sessions: Workspace; files: StaticFiles };
}

class UnknownOperationError extends ServiceError {
  override readonly name = 'UnknownOperationException';
  readonly status = 404;
}

/** A ValidationException (400, as the spec models it) that also closes the connection. */
class PayloadTooLargeError extends ValidationException {}

/**
 * The client went away (or was timed out by node:http) before its body arrived: nothing to answer and no fault of
 * the server. Logged with status 499, the code proxies use for a request the client closed.
 */
class ClientClosedRequest extends Error {}
const CLIENT_CLOSED_STATUS = 499;

const router = new Router(spec);
const validator = new Validator(spec);

/** Reads the whole body, refusing more than `max` bytes without buffering them. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > max) return reject(new PayloadTooLargeError(`The request body exceeds the limit of ${max} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new PayloadTooLargeError(`The request body exceeds the limit of ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) => reject(new ClientClosedRequest(`the client closed the request before its body arrived (${e.message})`)));
  });
}

/**
 * The path and query of a request target: the origin form as received, or that part of an absolute-form target
 * (`POST http://host/domains-list`, which RFC 9112 requires servers to accept). Undefined for anything else, such
 * as `*` or a target the URL parser refuses.
 */
function requestTarget(target: string): { url: URL; rawPath: string } | undefined {
  const raw = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  if (!raw.startsWith('/')) return undefined;
  try {
    // Prefixed rather than resolved against a base: '//x' would otherwise be read as a host.
    return { url: new URL(`http://localhost${raw}`), rawPath: raw.split('?')[0] };
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** The request listener of the API server: one structured log line per request. */
export function createPipeline(deps: PipelineDeps) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    let operation: string | undefined;
    let status = 500;
    let errorType: string | undefined;
    try {
      const target = requestTarget(req.url ?? '/');
      if (!target) throw new UnknownOperationError(`No Connect Cases operation matches ${req.method} ${req.url}`);
      const { url, rawPath } = target;
      if (req.method === 'GET' && url.pathname === '/health') {
        status = 200;
        send(res, 200, { 'x-amzn-requestid': requestId }, { status: 'ok', service: 'opencases', version: deps.version });
        return;
      }
      const ws = deps.workspace;
      // The workspace calls the API under UI_API_PREFIX with its session instead of a SigV4 signature.
      const viaWorkspace = ws !== undefined && (url.pathname === UI_API_PREFIX || url.pathname.startsWith(`${UI_API_PREFIX}/`));
      if (ws && !viaWorkspace && req.method === 'GET' && !url.pathname.startsWith('/tags/')) {
        const served = await ws.files.serve(req, res, url.pathname);
        if (served !== undefined) {
          status = served;
          return;
        }
      }
      if (ws && url.pathname === SESSION_PATH) {
        operation = 'WorkspaceSession';
        status = await ws.sessions.handleSession(req, res, await readBody(req, deps.maxBodyBytes));
        return;
      }
      const apiPath = viaWorkspace ? rawPath.slice(UI_API_PREFIX.length) : rawPath;
      let match;
      try {
        match = router.match(req.method ?? 'GET', apiPath);
      } catch (e) {
        if (e instanceof RouteError) throw new ValidationException(e.message);
        throw e;
      }
      if (!match) throw new UnknownOperationError(`No Connect Cases operation matches ${req.method} ${rawPath}`);
      operation = match.operation;
      const body = await readBody(req, deps.maxBodyBytes);
      const signedIn = viaWorkspace ? ws!.sessions.identify(req) : undefined;
      const caller = signedIn
        ? workspaceCaller(signedIn)
        : await deps.auth.authenticate({ method: req.method!, rawPath, query: url.searchParams, headers: req.headersDistinct, body }, operation);
      const op = spec.operations[operation];
      const raw = deserialize(spec, op, match.labels, url.searchParams, body);
      let input: unknown = {};
      if (op.input) {
        const result = validator.validate(op.input, raw);
        if (result.errors.length) throw new ValidationException(Validator.message(result.errors));
        input = result.value;
      }
      // A workspace user acts as themselves: whatever performedBy the browser sent, the change is recorded as theirs.
      if (signedIn && op.input && spec.shapes[op.input].members?.performedBy) {
        input = { ...(input as object), performedBy: { userArn: signedIn.userArn } };
      }
      const ctx: Context = { ...deps.context, accountId: caller.accountId, requestId, caller };
      const handler = deps.handlers[operation as OperationName] as (input: unknown, ctx: Context) => Promise<unknown>;
      const output = await handler(input, ctx);
      status = op.status;
      send(res, status, { 'x-amzn-requestid': requestId }, output ?? {});
    } catch (err) {
      if (err instanceof ClientClosedRequest) {
        status = CLIENT_CLOSED_STATUS;
        return;
      }
      const e = toErrorResponse(err);
      status = e.status;
      errorType = e.headers['x-amzn-errortype'];
      if (e.unexpected) deps.logger.error({ err, requestId, operation }, 'unexpected error');
      if (!res.headersSent) {
        // A refused oversized body is not read to its end; close the connection instead of draining it.
        if (err instanceof PayloadTooLargeError) res.setHeader('connection', 'close');
        send(res, e.status, { 'x-amzn-requestid': requestId, ...e.headers }, e.body);
      }
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.logger.info({ requestId, operation, status, errorType, ms: Math.round(ms * 100) / 100 }, 'request');
    }
  };
}
