/** What bench/seed.ts leaves in DIR/bench-domain.json for bench/search.ts, and the caller both use. */

/** An account id as access key: the dev-mode server uses it as the caller's account. */
export const BENCH_ACCESS_KEY = '111122223333';
export const BENCH_REGION = 'us-east-1';

export interface BenchManifest {
  domainId: string;
  templateId: string;
  cases: number;
  /** Custom field ids by name. */
  fields: Record<string, string>;
  /** Set when the cases were seeded into PostgreSQL (seed --database-url) instead of DIR/opencases.db. */
  databaseUrl?: string;
}
