/**
 * The scale-out store: PostgreSQL through `pg`. Several opencases processes may share one database; every SQL
 * statement of this backend is in this file.
 *
 * Write transactions run SERIALIZABLE, so they keep the guarantees of SQLite's one-writer-at-a-time
 * transactions across processes: a check-then-insert (idempotency token, reference number, unique name) that
 * races another process fails with a serialization failure or a unique violation, and `write` then re-runs the
 * whole function on a fresh transaction, where the check sees the other process's row. Reads run REPEATABLE READ,
 * READ ONLY: one consistent snapshot.
 */
import pg from 'pg';
import { migrations } from './migrations.js';
import { indexedValue } from '../sqlite/sqlite-store.js';
import { InternalServerException } from '../../protocol/errors.js';
import type {
  AuditRecord,
  CaseRecord,
  IdempotencyRecord,
  ListPage,
  RelatedItemQuery,
  RelatedItemRecord,
  ResourceKind,
  ResourceRecord,
  Store,
  Tx,
} from '../types.js';

type Row = Record<string, any>;

const SQL = {
  getMeta: 'SELECT value FROM meta WHERE key = $1',
  setMeta: 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',

  getResource: 'SELECT * FROM resources WHERE kind = $1 AND scope = $2 AND id = $3',
  findResourceByName: 'SELECT * FROM resources WHERE kind = $1 AND scope = $2 AND name = $3 AND NOT deleted LIMIT 1',
  putResource: `INSERT INTO resources (kind, scope, id, name, deleted, data) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (kind, scope, id) DO UPDATE SET name = excluded.name, deleted = excluded.deleted, data = excluded.data`,
  listResources: 'SELECT * FROM resources WHERE kind = $1 AND scope = $2 AND seq > $3 ORDER BY seq LIMIT $4',
  listLiveResources: 'SELECT * FROM resources WHERE kind = $1 AND scope = $2 AND seq > $3 AND NOT deleted ORDER BY seq LIMIT $4',
  countResources: 'SELECT count(*)::int AS n FROM resources WHERE kind = $1 AND scope = $2',
  countLiveResources: 'SELECT count(*)::int AS n FROM resources WHERE kind = $1 AND scope = $2 AND NOT deleted',
  deleteDomainResource: "DELETE FROM resources WHERE kind = 'domain' AND scope = $1 AND id = $2",
  deleteScopedResources: 'DELETE FROM resources WHERE scope = $1',
  // Option scopes are `domainId/fieldId`.
  deleteOptionResources: "DELETE FROM resources WHERE kind = 'fieldOption' AND starts_with(scope, $1 || '/')",
  deleteDomainTags: "DELETE FROM tags WHERE arn = $1 OR starts_with(arn, $1 || '/')",
  deleteDomainCases: 'DELETE FROM cases WHERE domain_id = $1',
  deleteDomainValues: 'DELETE FROM case_values WHERE domain_id = $1',
  deleteDomainAudit: 'DELETE FROM audit_events WHERE domain_id = $1',
  deleteDomainIdempotency: 'DELETE FROM idempotency WHERE domain_id = $1',
  deleteDomainRelatedItems: 'DELETE FROM related_items WHERE domain_id = $1',

  getTags: 'SELECT tags FROM tags WHERE arn = $1',
  putTags: 'INSERT INTO tags (arn, tags) VALUES ($1, $2) ON CONFLICT (arn) DO UPDATE SET tags = excluded.tags',

  insertCase: `INSERT INTO cases (domain_id, case_id, template_id, reference_number, created_time, last_updated_time, fields, tags)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  getCase: 'SELECT * FROM cases WHERE domain_id = $1 AND case_id = $2',
  updateCase: `UPDATE cases SET template_id = $3, last_updated_time = $4, fields = $5, tags = $6
    WHERE domain_id = $1 AND case_id = $2`,
  deleteCase: 'DELETE FROM cases WHERE domain_id = $1 AND case_id = $2',
  referenceNumberTaken: 'SELECT 1 FROM cases WHERE domain_id = $1 AND reference_number = $2',
  upsertValues: `INSERT INTO case_values (domain_id, case_id, field_id, s, n)
    SELECT $1, $2, f, s, n FROM unnest($3::text[], $4::text[], $5::float8[]) AS v (f, s, n)
    ON CONFLICT (domain_id, case_id, field_id) DO UPDATE SET s = excluded.s, n = excluded.n`,
  deleteValues: 'DELETE FROM case_values WHERE domain_id = $1 AND case_id = $2 AND field_id = ANY ($3::text[])',
  deleteCaseValues: 'DELETE FROM case_values WHERE domain_id = $1 AND case_id = $2',
  deleteCaseAudit: 'DELETE FROM audit_events WHERE domain_id = $1 AND case_id = $2',
  deleteCaseIdempotency: 'DELETE FROM idempotency WHERE domain_id = $1 AND case_id = $2',
  deleteCaseRelatedItems: 'DELETE FROM related_items WHERE domain_id = $1 AND case_id = $2',

  getIdempotency: 'SELECT * FROM idempotency WHERE domain_id = $1 AND token = $2',
  putIdempotency: `INSERT INTO idempotency (domain_id, token, request_hash, case_id, created_time) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (domain_id, token) DO UPDATE SET request_hash = excluded.request_hash, case_id = excluded.case_id, created_time = excluded.created_time`,

  appendAudit: 'INSERT INTO audit_events (domain_id, case_id, event) VALUES ($1, $2, $3)',
  listAudit: 'SELECT * FROM audit_events WHERE domain_id = $1 AND case_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4',

  insertRelatedItem: `INSERT INTO related_items (domain_id, case_id, related_item_id, type, association_time, search_key, content, performed_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  getRelatedItem: 'SELECT * FROM related_items WHERE domain_id = $1 AND case_id = $2 AND related_item_id = $3',
  updateRelatedItem: `UPDATE related_items SET content = $4, search_key = $5, performed_by = $6
    WHERE domain_id = $1 AND case_id = $2 AND related_item_id = $3`,
  deleteRelatedItem: 'DELETE FROM related_items WHERE domain_id = $1 AND case_id = $2 AND related_item_id = $3',
  countRelatedItems: 'SELECT count(*)::int AS n FROM related_items WHERE domain_id = $1 AND case_id = $2',
  countRelatedItemsOfType: 'SELECT count(*)::int AS n FROM related_items WHERE domain_id = $1 AND case_id = $2 AND type = $3',
} as const;

/** Builds the only dynamic statement of this file: related items by case and/or type set. */
function listRelatedItemsSql(q: RelatedItemQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.domainId, q.afterSeq ?? 0];
  const where = ['domain_id = $1', 'seq > $2'];
  if (q.caseId !== undefined) {
    params.push(q.caseId);
    where.push(`case_id = $${params.length}`);
  }
  if (q.types?.length) {
    params.push(q.types);
    where.push(`type = ANY ($${params.length}::text[])`);
  }
  params.push(q.limit);
  return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`, params };
}

const toResource = <T>(r: Row): ResourceRecord<T> => ({
  kind: r.kind,
  scope: r.scope,
  id: r.id,
  name: r.name,
  deleted: r.deleted,
  data: r.data,
  seq: Number(r.seq),
});

const toCase = (r: Row): CaseRecord => ({
  domainId: r.domain_id,
  caseId: r.case_id,
  templateId: r.template_id,
  referenceNumber: r.reference_number,
  createdTime: r.created_time,
  lastUpdatedTime: r.last_updated_time,
  fields: r.fields,
  tags: r.tags,
});

const toRelatedItem = (r: Row): RelatedItemRecord => ({
  domainId: r.domain_id,
  caseId: r.case_id,
  relatedItemId: r.related_item_id,
  type: r.type,
  associationTime: r.association_time,
  searchKey: r.search_key,
  content: r.content,
  performedBy: r.performed_by ?? undefined,
  seq: Number(r.seq),
});

const json = (v: unknown) => JSON.stringify(v);

/**
 * PostgreSQL text cannot hold U+0000, which SQLite and the JSON of a request can. Documents are unaffected (their
 * JSON text escapes it), so only plain text parameters (names, ids, indexed values) are touched: U+0000 becomes
 * U+FFFD there. A lookup by such a key then finds what an insert with the same key stored.
 */
function pgText(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v;
  if (Array.isArray(v)) return v.map(pgText);
  return v;
}

/**
 * SQLSTATEs after which re-running the transaction may succeed: serialization failure and deadlock. A unique
 * violation is not among them: under SERIALIZABLE, inserting a key that this transaction checked was free and a
 * concurrent one inserted meanwhile is reported as a serialization failure, so a unique violation is a real bug.
 */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 30;

/** Errors that mean the database cannot be reached (network, server shutting down or starting, connection lost). */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  const code = err?.code ?? '';
  if (/^(08|57P)/.test(code) || code === '53300') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(err?.message ?? '');
}

const unavailable = () => new InternalServerException('The database is unavailable. Please retry the request.', 1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "host:port/database" of a connection URL, for messages; never the credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost';
    return `${decodeURIComponent(host)}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the configured host';
  }
}

export interface PgOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections this process keeps at most. */
  maxConnections?: number;
}

/** The lock every opencases process takes around its migrations; any constant unique to opencases works. */
const MIGRATION_LOCK = 0x6f63_6173; // "ocas"

export class PgStore implements Store {
  private constructor(readonly pool: pg.Pool) {}

  /** Connects and brings the schema up to date; fails with a message naming the host when it cannot connect. */
  static async open(opts: PgOptions): Promise<PgStore> {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    // An idle connection that breaks is dropped by the pool; the request that next needs one gets a new one.
    pool.on('error', () => undefined);
    const store = new PgStore(pool);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (isConnectionError(e) || (e as { code?: string }).code?.startsWith('28') || (e as { code?: string }).code === '3D000') {
        throw new Error(`Cannot connect to PostgreSQL at ${describeDatabaseUrl(opts.url)}: ${(e as Error).message}`);
      }
      throw e;
    }
    return store;
  }

  /** Applies the pending migrations; the advisory lock makes processes that start together take turns. */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS opencases_schema (version integer NOT NULL)');
        const { rows } = await client.query('SELECT version FROM opencases_schema');
        const current: number = rows[0]?.version ?? 0;
        if (current > migrations.length) {
          throw new Error(`The database schema (version ${current}) is newer than this opencases (version ${migrations.length}); upgrade opencases.`);
        }
        for (let v = current; v < migrations.length; v++) {
          await client.query('BEGIN');
          try {
            await client.query(migrations[v]);
            await client.query('DELETE FROM opencases_schema');
            await client.query('INSERT INTO opencases_schema (version) VALUES ($1)', [v + 1]);
            await client.query('COMMIT');
          } catch (e) {
            await client.query('ROLLBACK');
            throw e;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
      client.release();
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
  }

  /**
   * Runs fn in a SERIALIZABLE transaction, and re-runs it from the start when PostgreSQL reports a conflict with
   * a concurrent transaction (see Store.write: fn must be re-runnable).
   */
  async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction('BEGIN ISOLATION LEVEL SERIALIZABLE', fn);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (!code || !RETRYABLE.has(code)) throw e;
        if (attempt >= MAX_ATTEMPTS) {
          throw new InternalServerException('The request conflicted with concurrent requests too often. Please retry the request.', 1);
        }
        await sleep(Math.random() * Math.min(100, 2 ** attempt));
      }
    }
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  private async transaction<T>(begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.begin(begin);
    let broken: Error | undefined;
    try {
      const result = await fn(makeTx(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw isConnectionError(e) ? unavailable() : e;
    } finally {
      // A connection that could not even roll back is destroyed instead of going back to the pool.
      client.release(broken);
    }
  }

  /**
   * A pooled connection with a transaction begun. Pooled connections may have died while idle (the database
   * restarted, the network dropped them), which shows only when they are used: such a one is discarded and the
   * next tried, nothing having been done on it yet.
   */
  private async begin(begin: string): Promise<pg.PoolClient> {
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw isConnectionError(e) ? unavailable() : e;
      }
      try {
        await client.query(begin);
        return client;
      } catch (e) {
        client.release(e as Error);
        if (!isConnectionError(e)) throw e;
        if (attempt >= this.pool.options.max) throw unavailable();
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function makeTx(client: pg.PoolClient): Tx {
  const q = async (text: string, params: unknown[]): Promise<Row[]> => (await client.query(text, params.map(pgText))).rows;
  const one = async (text: string, params: unknown[]): Promise<Row | undefined> => (await q(text, params))[0];

  async function upsertValues(domainId: string, caseId: string, fields: CaseRecord['fields'], fieldIds: string[]) {
    const ids: string[] = [];
    const s: (string | null)[] = [];
    const n: (number | null)[] = [];
    const cleared: string[] = [];
    for (const fieldId of fieldIds) {
      const v = fields[fieldId];
      const iv = v ? indexedValue(v) : null;
      if (!iv) {
        cleared.push(fieldId);
        continue;
      }
      ids.push(fieldId);
      s.push(iv.s);
      n.push(iv.n);
    }
    if (ids.length) await q(SQL.upsertValues, [domainId, caseId, ids, s, n]);
    return cleared;
  }

  return {
    async getMeta(key) {
      return (await one(SQL.getMeta, [key]))?.value;
    },
    async setMeta(key, value) {
      await q(SQL.setMeta, [key, value]);
    },

    async getResource<T>(kind: ResourceKind, scope: string, id: string) {
      const r = await one(SQL.getResource, [kind, scope, id]);
      return r ? toResource<T>(r) : undefined;
    },
    async findResourceByName<T>(kind: ResourceKind, scope: string, name: string) {
      const r = await one(SQL.findResourceByName, [kind, scope, name]);
      return r ? toResource<T>(r) : undefined;
    },
    async putResource(rec) {
      await q(SQL.putResource, [rec.kind, rec.scope, rec.id, rec.name, rec.deleted, json(rec.data)]);
    },
    async listResources<T>(kind: ResourceKind, scope: string, page: ListPage) {
      const sql = page.includeDeleted ? SQL.listResources : SQL.listLiveResources;
      return (await q(sql, [kind, scope, page.afterSeq ?? 0, page.limit])).map((r) => toResource<T>(r));
    },
    async countResources(kind, scope, includeDeleted) {
      return (await one(includeDeleted ? SQL.countResources : SQL.countLiveResources, [kind, scope]))!.n;
    },
    async deleteDomainData(accountId, domainId, domainArn) {
      await q(SQL.deleteDomainResource, [accountId, domainId]);
      await q(SQL.deleteScopedResources, [domainId]);
      await q(SQL.deleteOptionResources, [domainId]);
      await q(SQL.deleteDomainTags, [domainArn]);
      await q(SQL.deleteDomainCases, [domainId]);
      await q(SQL.deleteDomainValues, [domainId]);
      await q(SQL.deleteDomainAudit, [domainId]);
      await q(SQL.deleteDomainIdempotency, [domainId]);
      await q(SQL.deleteDomainRelatedItems, [domainId]);
    },

    async getTags(arn) {
      return (await one(SQL.getTags, [arn]))?.tags;
    },
    async putTags(arn, tags) {
      await q(SQL.putTags, [arn, json(tags)]);
    },

    async insertCase(c) {
      await q(SQL.insertCase, [c.domainId, c.caseId, c.templateId, c.referenceNumber, c.createdTime, c.lastUpdatedTime, json(c.fields), json(c.tags)]);
      await upsertValues(c.domainId, c.caseId, c.fields, Object.keys(c.fields));
    },
    async getCase(domainId, caseId) {
      const r = await one(SQL.getCase, [domainId, caseId]);
      return r ? toCase(r) : undefined;
    },
    async updateCase(c, changedFieldIds) {
      await q(SQL.updateCase, [c.domainId, c.caseId, c.templateId, c.lastUpdatedTime, json(c.fields), json(c.tags)]);
      const cleared = await upsertValues(c.domainId, c.caseId, c.fields, changedFieldIds);
      if (cleared.length) await q(SQL.deleteValues, [c.domainId, c.caseId, cleared]);
    },
    async deleteCase(domainId, caseId) {
      for (const sql of [SQL.deleteCase, SQL.deleteCaseValues, SQL.deleteCaseAudit, SQL.deleteCaseIdempotency, SQL.deleteCaseRelatedItems]) {
        await q(sql, [domainId, caseId]);
      }
    },
    async referenceNumberTaken(domainId, ref) {
      return (await one(SQL.referenceNumberTaken, [domainId, ref])) !== undefined;
    },

    async getIdempotency(domainId, token) {
      const r = await one(SQL.getIdempotency, [domainId, token]);
      return r
        ? ({ domainId: r.domain_id, token: r.token, requestHash: r.request_hash, caseId: r.case_id, createdTime: r.created_time } as IdempotencyRecord)
        : undefined;
    },
    async putIdempotency(i) {
      await q(SQL.putIdempotency, [i.domainId, i.token, i.requestHash, i.caseId, i.createdTime]);
    },

    async appendAudit(a) {
      await q(SQL.appendAudit, [a.domainId, a.caseId, json(a.event)]);
    },
    async listAudit(domainId, caseId, page) {
      return (await q(SQL.listAudit, [domainId, caseId, page.beforeSeq ?? Number.MAX_SAFE_INTEGER, page.limit])).map(
        (r): AuditRecord => ({ domainId: r.domain_id, caseId: r.case_id, event: r.event, seq: Number(r.seq) }),
      );
    },

    async insertRelatedItem(r) {
      await q(SQL.insertRelatedItem, [
        r.domainId,
        r.caseId,
        r.relatedItemId,
        r.type,
        r.associationTime,
        r.searchKey,
        json(r.content),
        r.performedBy ? json(r.performedBy) : null,
      ]);
    },
    async getRelatedItem(domainId, caseId, relatedItemId) {
      const r = await one(SQL.getRelatedItem, [domainId, caseId, relatedItemId]);
      return r ? toRelatedItem(r) : undefined;
    },
    async updateRelatedItem(r) {
      await q(SQL.updateRelatedItem, [r.domainId, r.caseId, r.relatedItemId, json(r.content), r.searchKey, r.performedBy ? json(r.performedBy) : null]);
    },
    async deleteRelatedItem(domainId, caseId, relatedItemId) {
      await q(SQL.deleteRelatedItem, [domainId, caseId, relatedItemId]);
    },
    async listRelatedItems(query) {
      const { sql, params } = listRelatedItemsSql(query);
      return (await q(sql, params)).map(toRelatedItem);
    },
    async countRelatedItems(domainId, caseId, type) {
      return (await one(type ? SQL.countRelatedItemsOfType : SQL.countRelatedItems, type ? [domainId, caseId, type] : [domainId, caseId]))!.n;
    },
  };
}
