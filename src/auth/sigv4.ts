import { createHash, timingSafeEqual } from 'node:crypto';
import { ALGORITHM_IDENTIFIER, SignatureV4, createScope, getCanonicalHeaders, getSigningKey } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
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
  /** Each header's values as received (node's headersDistinct): SigV4 joins a repeated header's values with ','. */
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
 * Verifies a SigV4-signed request. The signature itself is recomputed by @smithy/signature-v4, the signer
 * every AWS JS SDK uses, over exactly the headers the client says it signed; this module only parses the
 * Authorization header, checks scope, clock skew and payload hash, and compares in constant time.
 */
export class Authenticator {
  private readonly verifiers = new Map<string, Verifier>();

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

    const signedHeaderValues: Record<string, string> = Object.fromEntries(
      names.map((name) => {
        const v = header(req.headers, name);
        if (v === undefined) throw new AuthError('InvalidSignatureException', `Signed header '${name}' is missing from the request`);
        return [name, v];
      }),
    );
    // The signer leaves query-string signatures out of the canonical query (they belong to presigned URLs, which
    // this server does not take): with header auth, such a parameter could be added after signing unnoticed.
    if ([...req.query.keys()].some((k) => k.toLowerCase() === 'x-amz-signature')) {
      throw new AuthError('InvalidSignatureException', 'Only one auth mechanism allowed: the Authorization header or the X-Amz-Signature query parameter, not both');
    }
    // fromEntries, not assignment: a parameter named __proto__ must stay a key of the canonical query.
    const query: Record<string, string | string[]> = Object.fromEntries(
      [...new Set(req.query.keys())].map((key) => {
        const all = req.query.getAll(key);
        return [key, all.length === 1 ? all[0] : all];
      }),
    );
    const expected = await this.verifier(cred).signature(
      { method: req.method, protocol: 'http:', hostname: signedHeaderValues.host, path: req.rawPath, query, headers: signedHeaderValues },
      new Set(names),
      bodyHash,
      amzDate!,
      region,
    );
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

  private verifier(cred: Credential): Verifier {
    let v = this.verifiers.get(cred.accessKeyId);
    if (!v) {
      v = new Verifier(cred, this.opts.region);
      this.verifiers.set(cred.accessKeyId, v);
    }
    return v;
  }
}

/**
 * The SDK's signer, asked for the signature of a request as received. Signing the request itself
 * (`sign(request)`) would clone it, hash its body again, rebuild its headers and derive the signing key anew
 * on every call. These are the steps that signing takes after that preparation, done by the library: the
 * canonical headers, the canonical request (path normalisation and encoding, canonical query), the string to
 * sign, and the signing key; the key changes only with the date and region, so it is derived once per pair.
 * The signature is the HMAC of the string to sign with that key, through the library's SHA-256 constructor.
 */
class Verifier extends SignatureV4 {
  private readonly keys = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly credential: Credential,
    region: string,
  ) {
    super({ credentials: credential, region, service: SIGNING_SERVICE, sha256: Hash.bind(null, 'sha256') });
  }

  async signature(
    request: Parameters<typeof getCanonicalHeaders>[0],
    signedHeaders: Set<string>,
    payloadHash: string,
    longDate: string,
    region: string,
  ): Promise<string> {
    // signedHeaders admits headers the signer would otherwise skip (user-agent, expect, ...) when the client signed them.
    const canonical = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signedHeaders), payloadHash);
    const shortDate = longDate.slice(0, 8);
    const stringToSign = await this.createStringToSign(longDate, createScope(shortDate, region, SIGNING_SERVICE), canonical, ALGORITHM_IDENTIFIER);
    const hmac = new this.sha256(await this.signingKey(shortDate, region));
    hmac.update(stringToSign);
    return Buffer.from(await hmac.digest()).toString('hex');
  }

  private signingKey(shortDate: string, region: string): Promise<Uint8Array> {
    const id = `${shortDate}/${region}`;
    let key = this.keys.get(id);
    if (!key) {
      // Requests within the allowed clock skew span at most two dates; older keys are never asked for again.
      if (this.keys.size >= 4) this.keys.delete(this.keys.keys().next().value!);
      key = getSigningKey(this.sha256, this.credential, shortDate, region, SIGNING_SERVICE);
      this.keys.set(id, key);
    }
    return key;
  }
}

/** `20261122T021500Z` → Date, or undefined when malformed. */
function parseAmzDate(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}
