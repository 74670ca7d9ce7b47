/**
 * Who uses the web workspace. Dev mode: everybody is the default agent, no sign-in. Strict mode: the users of the
 * credentials file sign in with a password and get an HttpOnly, SameSite=Strict session cookie. Calls under
 * UI_API_PREFIX then carry that cookie (plus WORKSPACE_HEADER against cross-site requests) instead of a SigV4
 * signature and run through the same pipeline as every other API call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { WorkspaceUser } from '../auth/credentials.js';
import type { Caller } from '../auth/sigv4.js';
import { AuthError } from '../protocol/errors.js';
import { decoyHash, verifyPassword } from './passwords.js';

export const UI_API_PREFIX = '/ui-api';
export const SESSION_PATH = `${UI_API_PREFIX}/session`;
/** A custom header: cross-site pages cannot send it without a CORS preflight, which this server never grants. */
export const WORKSPACE_HEADER = 'x-opencases-workspace';
export const SESSION_COOKIE = 'opencases_session';
export const DEV_ACCOUNT = '000000000000';
/** Sessions end after this long without a request. */
const IDLE_MS = 12 * 60 * 60 * 1000;
const FAILURE_DELAY_MS = 500;
const MAX_FAILURE_DELAY_MS = 8000;
/** Each password check takes 32 MiB for ~0.1 s: run few at once and queue a bounded number, so a flood of
 * sign-in attempts cannot exhaust memory. */
const MAX_CONCURRENT_CHECKS = 2;
const MAX_WAITING_CHECKS = 64;

export interface WorkspaceIdentity {
  username: string;
  accountId: string;
  userArn: string;
}

/** The default agent of dev mode; its ARN is documented in docs/workspace.md. */
export function devAgent(region: string): WorkspaceIdentity {
  return { username: 'dev-agent', accountId: DEV_ACCOUNT, userArn: `arn:aws:connect:${region}:${DEV_ACCOUNT}:instance/opencases/agent/dev-agent` };
}

/** The caller of a workspace call: an assumed-role session, like an agent of the Amazon Connect agent workspace. */
export function workspaceCaller(who: WorkspaceIdentity): Caller {
  return {
    accountId: who.accountId,
    accessKeyId: `workspace/${who.username}`,
    principalArn: `arn:aws:sts::${who.accountId}:assumed-role/opencases-workspace/${who.username}`,
  };
}

export interface WorkspaceOptions {
  region: string;
  /** Absent: dev mode. */
  users?: Map<string, WorkspaceUser>;
  /** How long a failed sign-in waits before it answers (doubling per consecutive failure of a username). */
  failureDelayMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store', ...headers });
  res.end(payload);
}

export class Workspace {
  private readonly sessions = new Map<string, { who: WorkspaceIdentity; expires: number }>();
  private readonly failures = new Map<string, number>();
  private checksRunning = 0;
  private readonly checksWaiting: (() => void)[] = [];

  constructor(private readonly opts: WorkspaceOptions) {}

  get devMode(): boolean {
    return !this.opts.users;
  }

  /** The signed-in identity of a workspace API call; throws the 403 an unsigned API call would get. */
  identify(req: IncomingMessage): WorkspaceIdentity {
    if (req.headers[WORKSPACE_HEADER] !== '1') {
      throw new AuthError('MissingAuthenticationTokenException', `Workspace calls must carry the ${WORKSPACE_HEADER}: 1 header`);
    }
    if (this.devMode) return devAgent(this.opts.region);
    const who = this.session(req);
    if (!who) throw new AuthError('MissingAuthenticationTokenException', 'Not signed in to the workspace, or the session has ended');
    return who;
  }

  private session(req: IncomingMessage): WorkspaceIdentity | undefined {
    const token = cookie(req, SESSION_COOKIE);
    const s = token ? this.sessions.get(token) : undefined;
    if (!s) return undefined;
    if (s.expires < Date.now()) {
      this.sessions.delete(token!);
      return undefined;
    }
    s.expires = Date.now() + IDLE_MS;
    return s.who;
  }

  /** GET (who am I), POST (sign in: {username, password}) and DELETE (sign out) on SESSION_PATH. */
  async handleSession(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<number> {
    if (req.headers[WORKSPACE_HEADER] !== '1') {
      sendJson(res, 403, { message: `Workspace calls must carry the ${WORKSPACE_HEADER}: 1 header` });
      return 403;
    }
    const mode = this.devMode ? 'dev' : 'strict';
    const describe = (who: WorkspaceIdentity | undefined) => ({ mode, region: this.opts.region, user: who ?? null });
    switch (req.method) {
      case 'GET':
        sendJson(res, 200, describe(this.devMode ? devAgent(this.opts.region) : this.session(req)));
        return 200;
      case 'DELETE': {
        const token = cookie(req, SESSION_COOKIE);
        if (token) this.sessions.delete(token);
        sendJson(res, 200, describe(undefined), { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
        return 200;
      }
      case 'POST':
        return this.signIn(req, res, body, describe);
      default:
        sendJson(res, 405, { message: 'Use GET, POST or DELETE' });
        return 405;
    }
  }

  private async signIn(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    describe: (who: WorkspaceIdentity) => unknown,
  ): Promise<number> {
    if (this.devMode) {
      sendJson(res, 400, { message: 'This server runs in dev mode: there is nothing to sign in to' });
      return 400;
    }
    let username: unknown;
    let password: unknown;
    try {
      ({ username, password } = JSON.parse(body.toString('utf8')));
    } catch {
      // answered below like any incomplete form
    }
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      sendJson(res, 400, { message: 'Enter a username and a password' });
      return 400;
    }
    if (this.checksRunning >= MAX_CONCURRENT_CHECKS && this.checksWaiting.length >= MAX_WAITING_CHECKS) {
      sendJson(res, 503, { message: 'Too many sign-in attempts at once; try again in a moment' }, { 'retry-after': '1' });
      return 503;
    }
    const user = this.opts.users!.get(username);
    // An unknown user costs the same scrypt run as a wrong password, so timing does not tell them apart.
    const ok = await this.limited(async () =>
      user ? verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await decoyHash()), false),
    );
    if (!ok) {
      const n = (this.failures.get(username) ?? 0) + 1;
      if (this.failures.size > 10_000) this.failures.clear();
      this.failures.set(username, n);
      const base = this.opts.failureDelayMs ?? FAILURE_DELAY_MS;
      await sleep(Math.min(base * 2 ** (n - 1), MAX_FAILURE_DELAY_MS));
      sendJson(res, 401, { message: 'Wrong username or password' });
      return 401;
    }
    this.failures.delete(username);
    this.pruneSessions();
    const token = randomBytes(32).toString('base64url');
    const who: WorkspaceIdentity = { username: user!.username, accountId: user!.accountId, userArn: user!.userArn };
    this.sessions.set(token, { who, expires: Date.now() + IDLE_MS });
    const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
    sendJson(res, 200, describe(who), {
      'set-cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${IDLE_MS / 1000}${secure}`,
    });
    return 200;
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    // A finishing check hands its slot straight to the next waiter, so no newcomer can slip in between.
    if (this.checksRunning >= MAX_CONCURRENT_CHECKS) await new Promise<void>((resolve) => this.checksWaiting.push(resolve));
    else this.checksRunning++;
    try {
      return await fn();
    } finally {
      const next = this.checksWaiting.shift();
      if (next) next();
      else this.checksRunning--;
    }
  }

  private pruneSessions() {
    const now = Date.now();
    for (const [token, s] of this.sessions) if (s.expires < now) this.sessions.delete(token);
  }
}
