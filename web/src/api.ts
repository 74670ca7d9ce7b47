/**
 * The workspace talks to opencases only through the public Connect Cases API, with the AWS SDK, at UI_API_PREFIX:
 * there the server takes the session cookie (and the WORKSPACE_HEADER) instead of a SigV4 signature.
 */
import { ConnectCasesClient } from '@aws-sdk/client-connectcases';
import type { FieldValueUnion } from '@aws-sdk/client-connectcases';

export const UI_API_PREFIX = '/ui-api';
export const WORKSPACE_HEADER = 'x-opencases-workspace';

export interface SessionInfo {
  mode: 'dev' | 'strict';
  region: string;
  user: { username: string; accountId: string; userArn: string } | null;
}

async function sessionCall(method: string, body?: unknown): Promise<SessionInfo> {
  const res = await fetch(`${UI_API_PREFIX}/session`, {
    method,
    headers: { [WORKSPACE_HEADER]: '1', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  const json = await res.json();
  if (!res.ok) throw new Error(json.message ?? `HTTP ${res.status}`);
  return json as SessionInfo;
}

export const getSession = () => sessionCall('GET');
export const signIn = (username: string, password: string) => sessionCall('POST', { username, password });
export const signOut = () => sessionCall('DELETE');

/** `onSessionEnded` runs when the server no longer knows the session (expired, signed out elsewhere, restarted). */
export function createClient(region: string, onSessionEnded: () => void): ConnectCasesClient {
  const client = new ConnectCasesClient({
    region,
    endpoint: `${location.origin}${UI_API_PREFIX}`,
    // The server ignores signatures under UI_API_PREFIX; the SDK still wants something to sign with.
    credentials: { accessKeyId: 'workspace', secretAccessKey: 'workspace' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[WORKSPACE_HEADER] = '1';
      return next(args);
    },
    { step: 'build', name: 'workspaceHeader' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if ((e as Error).name === 'MissingAuthenticationTokenException') onSessionEnded();
        throw e;
      }
    },
    { step: 'initialize', name: 'sessionEnded' },
  );
  return client;
}

/** The message of an API error, or of anything else thrown. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) return String((e as Error).message);
  return String(e);
}

/** Values as the API holds them, and as the form controls edit them. */
export type Value = FieldValueUnion;

export function valueText(v: Value | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.booleanValue !== undefined) return v.booleanValue ? 'Yes' : 'No';
  if (v.userArnValue !== undefined) return v.userArnValue;
  return '';
}
