import { readFileSync } from 'node:fs';

/** One entry of the `--credentials` file. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** IAM-style action globs such as `cases:*` or `cases:Get*`; absent means every action. */
  allow?: string[];
}

/** A person who signs in to the web workspace (strict mode); see docs/workspace.md. */
export interface WorkspaceUser {
  username: string;
  /** `opencases hash-password` output (scrypt). */
  passwordHash: string;
  accountId: string;
  /** The Amazon Connect user ARN recorded as performedBy of every change the user makes in the workspace. */
  userArn: string;
}

export interface CredentialsFile {
  credentials: Credential[];
  users?: WorkspaceUser[];
}

export interface LoadedCredentials {
  byKey: Map<string, Credential>;
  users: Map<string, WorkspaceUser>;
}

const ACCOUNT = /^\d{12}$/;

const USER_ARN = /^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance\/[^/\s]+\/agent\/[^/\s]+$/;
const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

/** Reads and checks a credentials file; every problem names the file and the offending entry. */
export function loadCredentials(path: string): LoadedCredentials {
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
  const userList = (parsed as CredentialsFile).users ?? [];
  if (!Array.isArray(userList)) throw new Error(`Credentials file ${path}: users must be a list`);
  const users = new Map<string, WorkspaceUser>();
  userList.forEach((u, i) => {
    const where = `${path}: users[${i}]`;
    if (typeof u?.username !== 'string' || !u.username) throw new Error(`${where}.username must be a non-empty string`);
    if (typeof u.passwordHash !== 'string' || !PASSWORD_HASH.test(u.passwordHash)) {
      throw new Error(`${where}.passwordHash must be the output of 'opencases hash-password'`);
    }
    if (typeof u.accountId !== 'string' || !ACCOUNT.test(u.accountId)) throw new Error(`${where}.accountId must be 12 digits`);
    if (typeof u.userArn !== 'string' || !USER_ARN.test(u.userArn)) {
      throw new Error(`${where}.userArn must be an Amazon Connect user ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/agent/{userId})`);
    }
    if (users.has(u.username)) throw new Error(`${where}: username ${u.username} appears twice`);
    users.set(u.username, u);
  });
  return { byKey, users };
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionAllowed(allow: string[] | undefined, action: string): boolean {
  if (!allow) return true;
  return allow.some((pattern) => {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${re}$`, 'i').test(action);
  });
}
