import { readFileSync } from 'node:fs';

/** One entry of the `--credentials` file. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** IAM-style action globs such as `cases:*` or `cases:Get*`; absent means every action. */
  allow?: string[];
}

export interface CredentialsFile {
  credentials: Credential[];
}

const ACCOUNT = /^\d{12}$/;

/** Reads and checks a credentials file; every problem names the file and the offending entry. */
export function loadCredentials(path: string): Map<string, Credential> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read credentials file ${path}: ${(e as Error).message}`);
  }
  const list = (parsed as CredentialsFile)?.credentials;
  if (!Array.isArray(list)) throw new Error(`Credentials file ${path} must hold {"credentials": [...]}`);
  const byKey = new Map<string, Credential>();
  list.forEach((c, i) => {
    const where = `${path}: credentials[${i}]`;
    if (typeof c?.accessKeyId !== 'string' || !c.accessKeyId) throw new Error(`${where}.accessKeyId must be a non-empty string`);
    if (typeof c.secretAccessKey !== 'string' || !c.secretAccessKey) throw new Error(`${where}.secretAccessKey must be a non-empty string`);
    if (typeof c.accountId !== 'string' || !ACCOUNT.test(c.accountId)) throw new Error(`${where}.accountId must be 12 digits`);
    if (c.allow !== undefined && (!Array.isArray(c.allow) || c.allow.some((a) => typeof a !== 'string'))) {
      throw new Error(`${where}.allow must be a list of action patterns such as "cases:*"`);
    }
    if (byKey.has(c.accessKeyId)) throw new Error(`${where}: access key ${c.accessKeyId} appears twice`);
    byKey.set(c.accessKeyId, c);
  });
  return byKey;
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionAllowed(allow: string[] | undefined, action: string): boolean {
  if (!allow) return true;
  return allow.some((pattern) => {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${re}$`, 'i').test(action);
  });
}
