import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationException } from '../protocol/errors.js';
import type { Store } from '../store/types.js';

/**
 * Opaque, tamper-proof pagination tokens: base64url(JSON) + "." + HMAC-SHA256 over it with a secret kept in the
 * store (so tokens survive restarts and are shared by processes on one database). A token names the listing it
 * belongs to (`kind` plus its scope), so one listing's token is refused by another.
 */
export class TokenCodec {
  private constructor(private readonly secret: Buffer) {}

  static async load(store: Store): Promise<TokenCodec> {
    const secret = await store.write(async (tx) => {
      let s = await tx.getMeta('pagination_secret');
      if (!s) {
        s = randomBytes(32).toString('hex');
        await tx.setMeta('pagination_secret', s);
      }
      return s;
    });
    return new TokenCodec(Buffer.from(secret, 'hex'));
  }

  encode(kind: string, position: unknown): string {
    const body = Buffer.from(JSON.stringify({ k: kind, p: position })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The position a token carries; ValidationException when it is forged, altered or from another listing. */
  decode<T>(kind: string, token: string): T {
    const [body, mac, ...rest] = token.split('.');
    const expected = body ? this.mac(body) : '';
    if (!body || !mac || rest.length || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      throw new ValidationException('The nextToken is not valid: it was not issued by this server or has been altered');
    }
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (parsed.k !== kind) throw new ValidationException('The nextToken belongs to a different request; start the listing again without it');
    return parsed.p as T;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
