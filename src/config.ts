import { DEFAULT_QUOTAS, type Quotas } from './context.js';
import type { EventStreamOptions } from './events/delivery.js';

export interface ServerConfig {
  port: number;
  host: string;
  /** Directory of the SQLite file, or `:memory:`. */
  dataDir: string;
  /** postgres://… URL: store everything in PostgreSQL instead of SQLite (dataDir is then unused). */
  databaseUrl?: string;
  region: string;
  /** Path of the credentials file; absent means dev mode (loopback only). */
  credentialsFile?: string;
  quotas: Quotas;
  enforceCaseRules: boolean;
  logLevel: string;
  maxBodyBytes: number;
  /** A client must send its whole request within this time (slow-client protection). */
  requestTimeoutMs: number;
  /** ... and its headers within this time. */
  headersTimeoutMs: number;
  /** JSON file of contact details served with Contact related items (src/cases/contacts.ts). */
  contactsFile?: string;
  /** Delivery of the case event stream (webhooks, EventBridge); no sink configured: events wait in the outbox. */
  events?: EventStreamOptions;
  /** Injectable clock, for tests that need time to pass. */
  now?: () => Date;
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 4590,
  host: '127.0.0.1',
  dataDir: './data',
  region: 'us-east-1',
  quotas: DEFAULT_QUOTAS,
  enforceCaseRules: false,
  logLevel: 'info',
  // Large enough for any valid request of the spec (100 fields of 4100 characters), small enough to refuse floods.
  maxBodyBytes: 6 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 15_000,
};

/** Loopback hosts on which dev mode (no credentials) may listen. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
