import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AccessDeniedException, AuthError } from '../protocol/errors.js';
import { actionAllowed, type Credential } from './credentials.js';

export const SIGNING_SERVICE = 'cases';
const DEV_ACCOUNT = '000000000000';
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

export interface Caller {
  accountId: string;
  accessKeyId: string;
  /** The IAM principal recorded in audit events (performedBy.iamPrincipalArn). */
  principalArn: string;
}

export interface SignedRequest {
  method: string;
  /** The raw path as received, still percent-encoded: SigV4 signs the encoded form. */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AuthOptions {
  region: string;
  /** Absent: dev mode, where any well-formed SigV4 header is accepted. */
  credentials?: Map<string, Credential>;
  now?: () => number;
}

const header = (h: SignedRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * Verifies a SigV4-signed request: parses the Authorization header, checks scope, clock skew and payload
 * hash, recomputes the signature over exactly the headers the client says it signed, and compares in
 * constant time. The canonical request is built as @smithy/signature-v4 (the signer of the AWS JS SDKs)
 * builds it; test/sigv4.test.ts checks the two agree. Only the signing key is cached (per key and day).
 */
export class Authenticator {
  /** `accessKeyId/shortDate` → signing key; the region and service are fixed per server. */
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(private readonly opts: AuthOptions) {}

  get devMode(): boolean {
    return !this.opts.credentials;
  }

  async authenticate(req: SignedRequest, operation: string): Promise<Caller> {
    const auth = header(req.headers, 'authorization');
    if (!auth) {
      throw new AuthError('MissingAuthenticationTokenException', 'Missing Authentication Token: the request must be signed with AWS Signature Version 4');
    }
    const m = AUTH_RE.exec(auth.trim());
    if (!m) throw new AuthError('IncompleteSignatureException', 'The Authorization header is not a well-formed AWS4-HMAC-SHA256 signature');
    const [, accessKeyId, shortDate, region, service, signedHeaders, signature] = m;

    if (!this.opts.credentials) {
      const accountId = /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEV_ACCOUNT;
      return { accountId, accessKeyId, principalArn: `arn:aws:iam::${accountId}:user/${accessKeyId}` };
    }

    const cred = this.opts.credentials.get(accessKeyId);
    if (!cred) throw new AuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');

    if (service !== SIGNING_SERVICE) {
      throw new AuthError('InvalidSignatureException', `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`);
    }
    if (region !== this.opts.region) {
      throw new AuthError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. Expected '${this.opts.region}'.`);
    }
    const amzDate = header(req.headers, 'x-amz-date');
    const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
    if (!signingDate || amzDate!.slice(0, 8) !== shortDate) {
      throw new AuthError('IncompleteSignatureException', 'The request must carry an X-Amz-Date header matching the credential scope date');
    }
    const now = this.opts.now?.() ?? Date.now();
    if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
      throw new AuthError('InvalidSignatureException', `Signature expired: ${amzDate} is not within 15 minutes of the server time.`);
    }
    const names = signedHeaders.split(';');
    if (!names.includes('host')) throw new AuthError('InvalidSignatureException', "'Host' must be a signed header");
    const bodyHash = createHash('sha256').update(req.body).digest('hex');
    const claimedHash = header(req.headers, 'x-amz-content-sha256');
    if (claimedHash !== undefined && claimedHash !== bodyHash) {
      throw new AuthError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match the request body.');
    }

    // As the SDK signer does: authorization and date are never signed, x-amz-date always is.
    const canonicalHeaders = new Map<string, string>();
    for (const name of names) {
      const v = header(req.headers, name);
      if (v === undefined) throw new AuthError('InvalidSignatureException', `Signed header '${name}' is missing from the request`);
      if (name !== 'authorization' && name !== 'date') canonicalHeaders.set(name, v.trim().replace(/\s+/g, ' '));
    }
    const longDate = signingDate.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    canonicalHeaders.set('x-amz-date', longDate);
    const headerNames = [...canonicalHeaders.keys()].sort();
    const canonicalRequest = [
      req.method,
      canonicalPath(req.rawPath),
      canonicalQuery(req.query),
      ...headerNames.map((name) => `${name}:${canonicalHeaders.get(name)}`),
      '',
      headerNames.join(';'),
      bodyHash,
    ].join('\n');
    const scope = `${longDate.slice(0, 8)}/${region}/${SIGNING_SERVICE}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', this.signingKey(cred, longDate.slice(0, 8), region)).update(stringToSign).digest('hex');
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw new AuthError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    const action = `cases:${operation}`;
    if (!actionAllowed(cred.allow, action)) {
      throw new AccessDeniedException(`User: arn:aws:iam::${cred.accountId}:user/${accessKeyId} is not authorized to perform: ${action}`);
    }
    return { accountId: cred.accountId, accessKeyId, principalArn: `arn:aws:iam::${cred.accountId}:user/${accessKeyId}` };
  }

  private signingKey(cred: Credential, shortDate: string, region: string): Buffer {
    const cacheKey = `${cred.accessKeyId}/${shortDate}`;
    let key = this.signingKeys.get(cacheKey);
    if (!key) {
      const hmac = (k: string | Buffer, data: string) => createHmac('sha256', k).update(data).digest();
      key = hmac(hmac(hmac(hmac(`AWS4${cred.secretAccessKey}`, shortDate), region), SIGNING_SERVICE), 'aws4_request');
      // Keys of past days are never needed again.
      if (this.signingKeys.size > 1000) this.signingKeys.clear();
      this.signingKeys.set(cacheKey, key);
    }
    return key;
  }
}

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent plus the reserved characters it leaves alone. */
const escapeUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The canonical URI of a (still percent-encoded) request path: empty and `.` segments dropped, `..` resolved,
 * then encoded once more (services other than S3 sign the doubly encoded path).
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Encoded `key=value` pairs sorted by key, repeated keys by pair; X-Amz-Signature left out. */
function canonicalQuery(query: URLSearchParams): string {
  const byKey = new Map<string, string>();
  for (const key of new Set(query.keys())) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    const encodedKey = escapeUri(key);
    const pairs = query.getAll(key).map((v) => `${encodedKey}=${escapeUri(v)}`);
    byKey.set(encodedKey, pairs.length === 1 ? pairs[0] : pairs.sort().join('&'));
  }
  return [...byKey.keys()]
    .sort()
    .map((k) => byKey.get(k))
    .join('&');
}

/** `20261122T021500Z` → Date, or undefined when malformed. */
function parseAmzDate(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
