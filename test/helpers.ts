/** Shared test helpers: an in-process server per test file, an SDK client for it, and one-line error asserts. */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { ConnectCasesClient } from '@aws-sdk/client-connectcases';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startServer, type RunningServer, type StartOptions } from '../src/server.js';
import { createDatabaseOn, dropDatabaseOn } from './support/postgres.js';

export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export interface LogLine {
  level: number;
  msg: string;
  status?: number;
  warning?: string;
}

/** A pino logger at info level whose lines land, parsed, in `lines`: for tests of what the server logs. */
export function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

export function clientFor(endpoint: string, credentials = DUMMY_CREDENTIALS, region = 'us-east-1'): ConnectCasesClient {
  // maxAttempts 1: a retried request would hide the first answer the test is about. Without retries, the client
  // must never reuse a socket the server is closing: an agent with a timeout drops idle sockets before the
  // server's announced keep-alive timeout (Node's agent honours the server's hint only when it has a timeout).
  const httpAgent = new Agent({ keepAlive: true, timeout: 30_000 });
  return new ConnectCasesClient({ endpoint, region, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent }) });
}

export interface TestServer {
  server: RunningServer;
  client: ConnectCasesClient;
  close(): Promise<void>;
}

/**
 * With OPENCASES_TEST_DATABASE_URL (the admin URL of a PostgreSQL cluster; test/support/run-with-postgres.ts sets
 * it), a server that was given no store, data directory or database gets a fresh PostgreSQL database instead of
 * an in-memory SQLite one, dropped again on close.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const adminUrl = process.env.OPENCASES_TEST_DATABASE_URL;
  const usePostgres = adminUrl && !options.store && !options.dataDir && !options.databaseUrl;
  const databaseUrl = usePostgres ? await createDatabaseOn(adminUrl) : options.databaseUrl;
  const server = await startServer({ ...options, databaseUrl });
  const client = clientFor(server.endpoint);
  return {
    server,
    client,
    async close() {
      client.destroy();
      await server.close();
      if (usePostgres) await dropDatabaseOn(adminUrl, databaseUrl!);
    },
  };
}

/** Awaits a rejection and checks its error name, HTTP status and message. Returns the error for more checks. */
export async function assertError(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<any> {
  let err: any;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  assert.equal(err.$metadata?.httpStatusCode, status, `expected HTTP ${status} for ${name}`);
  if (message) assert.match(err.message, message);
  return err;
}

export const assertValidation = (p: Promise<unknown>, m?: RegExp) => assertError(p, 'ValidationException', 400, m);
export const assertNotFound = (p: Promise<unknown>, m?: RegExp) => assertError(p, 'ResourceNotFoundException', 404, m);
export const assertConflict = (p: Promise<unknown>, m?: RegExp) => assertError(p, 'ConflictException', 409, m);
export const assertQuota = (p: Promise<unknown>, m?: RegExp) => assertError(p, 'ServiceQuotaExceededException', 402, m);
export const assertAccessDenied = (p: Promise<unknown>, m?: RegExp) => assertError(p, 'AccessDeniedException', 403, m);

let counter = 0;
/** A unique, valid resource name for this test process. */
export const uniqueName = (prefix = 'n') => `${prefix}-${process.pid}-${++counter}`;
