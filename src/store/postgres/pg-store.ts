/**
 * The scale-out store: PostgreSQL through `pg`. Several opencases processes may share one database; every SQL
 * statement of this backend is in this file.
 *
 * Write transactions run SERIALIZABLE, so they keep the guarantees of SQLite's one-writer-at-a-time
 * transactions across processes: a check-then-insert (idempotency token, reference number, unique name) that
 * races another process fails with a serialization failure, and `write` then re-runs the whole function on a
 * fresh transaction, where the check sees the other process's row. Reads run REPEATABLE READ, READ ONLY: one
 * consistent snapshot.
 */
import pg from 'pg';
import { migrations } from './migrations.js';
import { indexedValue } from '../indexed-value.js';
import { InternalServerException } from '../../protocol/errors.js';
import type {
  AuditRecord,
  CaseCondition,
  CaseRecord,
  CaseSearch,
  CaseSearchPosition,
  EventDelivery,
  IdempotencyRecord,
  ListPage,
  LoadProgress,
  RelatedItemQuery,
  RelatedItemRecord,
  RelatedItemSearch,
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
  upsertValues: `INSERT INTO case_values (domain_id, case_id, field_id, s, sl, n)
    SELECT $1, $2, f, s, sl, n FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[]) AS v (f, s, sl, n)
    ON CONFLICT (domain_id, case_id, field_id) DO UPDATE SET s = excluded.s, sl = excluded.sl, n = excluded.n`,
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
  listCasesForContact: `SELECT DISTINCT r.case_id, c.template_id FROM related_items r
    JOIN cases c ON c.domain_id = r.domain_id AND c.case_id = r.case_id
    WHERE r.domain_id = $1 AND r.type = 'Contact' AND r.search_key = $2 AND r.case_id > $3 ORDER BY r.case_id LIMIT $4`,

  insertOutboxEvent: 'INSERT INTO event_outbox (event_id, domain_id, case_id, created_time, payload) VALUES ($1, $2, $3, $4, $5)',
  registerSink: "INSERT INTO event_sinks (sink_id, cursor_xid) VALUES ($1, '0') ON CONFLICT (sink_id) DO NOTHING",
  // Outbox seqs are handed out before commit, so they do not commit in order: a cursor on seq could pass an event
  // that commits later with a smaller seq. Transaction ids can: below the oldest transaction still running
  // (the snapshot's xmin) every transaction has ended, so every event written below it is visible now and no
  // event can appear there later. A sink queues the events between its cursor and that horizon, then moves
  // its cursor to the horizon. No lock is needed, so case writes never wait for each other's commits here.
  fanOutEvents: `INSERT INTO event_deliveries (sink_id, event_seq, domain_id, case_id)
    SELECT $1, seq, domain_id, case_id FROM event_outbox
    WHERE xid >= (SELECT cursor_xid FROM event_sinks WHERE sink_id = $1) AND xid < pg_snapshot_xmin(pg_current_snapshot())
    ON CONFLICT (sink_id, event_seq) DO NOTHING`,
  advanceSink: `UPDATE event_sinks SET cursor_xid = pg_snapshot_xmin(pg_current_snapshot())
    WHERE sink_id = $1 AND cursor_xid < pg_snapshot_xmin(pg_current_snapshot())`,
  getSinkCursor: 'SELECT cursor_xid::text AS cursor FROM event_sinks WHERE sink_id = $1',
  // A delivery is claimable when no older delivery of its case is still queued for the sink, whatever its state.
  claimableDeliveries: `SELECT d.*, o.event_id, o.created_time, o.payload FROM event_deliveries d JOIN event_outbox o ON o.seq = d.event_seq
    WHERE d.sink_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 AND d.claimed_until <= $2
      AND NOT EXISTS (SELECT 1 FROM event_deliveries e
        WHERE e.sink_id = d.sink_id AND e.domain_id = d.domain_id AND e.case_id = d.case_id AND e.event_seq < d.event_seq)
    ORDER BY d.event_seq LIMIT $3`,
  leaseDeliveries: 'UPDATE event_deliveries SET claimed_until = $1 WHERE sink_id = $2 AND event_seq = ANY ($3::bigint[])',
  completeDelivery: 'DELETE FROM event_deliveries WHERE sink_id = $1 AND event_seq = $2',
  failDelivery: `UPDATE event_deliveries SET attempts = $3, next_attempt_at = $4, status = $5, last_error = $6, claimed_until = 0
    WHERE sink_id = $1 AND event_seq = $2`,
  listDeadDeliveries: `SELECT d.*, o.event_id, o.created_time, o.payload FROM event_deliveries d JOIN event_outbox o ON o.seq = d.event_seq
    WHERE d.status = 'dead' ORDER BY d.event_seq, d.sink_id`,
  requeueAllDead: `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_error = NULL
    WHERE status = 'dead'`,
  requeueDeadOfEvents: `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_error = NULL
    WHERE status = 'dead' AND event_seq IN (SELECT seq FROM event_outbox WHERE event_id = ANY ($1::text[]))`,
  discardAllDead: "DELETE FROM event_deliveries WHERE status = 'dead'",
  discardDeadOfEvents: "DELETE FROM event_deliveries WHERE status = 'dead' AND event_seq IN (SELECT seq FROM event_outbox WHERE event_id = ANY ($1::text[]))",
  // $1 is the lowest cursor (a transaction id) of the sinks: events below it are queued for all of them.
  pruneOutbox: 'DELETE FROM event_outbox WHERE xid < $1::text::xid8 AND NOT EXISTS (SELECT 1 FROM event_deliveries WHERE event_seq = event_outbox.seq)',
} as const;

/** Builds a dynamic statement: related items by case and/or type set. */
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
  if (q.limit === undefined) return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY seq`, params };
  params.push(q.limit);
  return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`, params };
}

const SEARCH_COLUMNS = { associationTime: 'association_time', caseId: 'case_id', seq: 'seq' } as const;

/**
 * Related-item search with keyset pagination over any mix of sort directions: after the position p, an item
 * comes later when it is beyond p on the first sort key, or equal on it and beyond on the next, and so on.
 */
function searchRelatedItemsSql(q: RelatedItemSearch): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.domainId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['domain_id = $1'];
  if (q.caseId !== undefined) where.push(`case_id = ${p(q.caseId)}`);
  if (q.matches.length) {
    const alternatives = q.matches.map((m) =>
      m.searchKey === undefined ? `(type = ${p(m.type)})` : `(type = ${p(m.type)} AND search_key = ${p(m.searchKey)})`,
    );
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const keys: { column: keyof typeof SEARCH_COLUMNS; descending: boolean }[] = [];
  for (const s of q.sorts) if (!keys.some((k) => k.column === s.property)) keys.push({ column: s.property, descending: s.descending });
  keys.push({ column: 'seq', descending: false });
  if (q.after) {
    const after = q.after;
    const cast = (column: keyof typeof SEARCH_COLUMNS) => (column === 'seq' ? '::bigint' : '::text');
    const alternatives = keys.map((key, i) => {
      const terms = keys.slice(0, i).map((k) => `${SEARCH_COLUMNS[k.column]} = ${p(after[k.column])}${cast(k.column)}`);
      terms.push(`${SEARCH_COLUMNS[key.column]} ${key.descending ? '<' : '>'} ${p(after[key.column])}${cast(key.column)}`);
      return `(${terms.join(' AND ')})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const order = keys.map((k) => `${SEARCH_COLUMNS[k.column]}${k.descending ? ' DESC' : ''}`).join(', ');
  return { sql: `SELECT * FROM related_items WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit)}`, params };
}

/** A LIKE pattern matching values that contain `text`. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The count of a search whose filter is one comparison, or comparisons of one field (a range), straight from the
 * value index: a case holds at most one value per field, and values are deleted with their case, so counting
 * index entries counts cases, without visiting a row of `cases`.
 */
function valueIndexCount(q: CaseSearch): { sql: string; params: unknown[] } | undefined {
  const c = q.condition;
  const parts = c?.kind === 'compare' ? [c] : c?.kind === 'and' ? c.conditions : [];
  const compares = parts.filter((k): k is Extract<CaseCondition, { kind: 'compare' }> => k.kind === 'compare');
  if (q.words.length || !compares.length || compares.length !== parts.length) return undefined;
  const { fieldId, column } = compares[0];
  if (!compares.every((k) => k.fieldId === fieldId && k.column === column)) return undefined;
  const params: unknown[] = [q.domainId, fieldId];
  const tests = compares.map((k) => {
    params.push(k.value);
    return ` AND ${column} ${k.op} $${params.length}::${column === 's' ? 'text' : 'float8'}`;
  });
  return { sql: `SELECT count(*)::int AS n FROM case_values WHERE domain_id = $1 AND field_id = $2${tests.join('')}`, params };
}

/**
 * SearchCases as one statement: the filter as EXISTS look-ups into case_values (typed B-tree indexes; contains
 * and search words on the lower-cased copy, which a trigram index serves), ordered by the sort fields with cases
 * lacking a value after those with one, ties broken by creation order, and keyset pagination on the sort keys.
 * It orders the same way as the SQLite search (src/store/sqlite/search-sql.ts); positions are this store's own.
 */
function searchCasesSql(q: CaseSearch): { count: { sql: string; params: unknown[] }; page: { sql: string; params: unknown[] }; keys: number } {
  const params: unknown[] = [q.domainId];
  const p = (v: unknown, type: string) => {
    params.push(v);
    return `$${params.length}::${type}`;
  };
  const value = (fieldId: string, test: string) =>
    `EXISTS (SELECT 1 FROM case_values v WHERE v.domain_id = c.domain_id AND v.case_id = c.case_id AND v.field_id = ${p(fieldId, 'text')}${test})`;
  const condition = (k: CaseCondition): string => {
    switch (k.kind) {
      case 'compare':
        return value(k.fieldId, ` AND v.${k.column} ${k.op} ${p(k.value, k.column === 's' ? 'text' : 'float8')}`);
      case 'empty':
        return `NOT ${value(k.fieldId, '')}`;
      case 'contains':
        return value(k.fieldId, ` AND v.sl LIKE ${p(containsPattern(k.text), 'text')}`);
      case 'tag': {
        const tag = `(c.tags ->> ${p(k.key, 'text')})`;
        // IS NOT DISTINCT FROM: a case without the tag does not match (false, not NULL), so NOT of it matches.
        return k.value === undefined ? `${tag} IS NOT NULL` : `${tag} IS NOT DISTINCT FROM ${p(k.value, 'text')}`;
      }
      case 'not':
        return `NOT (${condition(k.condition)})`;
      case 'and':
      case 'or':
        if (k.conditions.length === 0) return k.kind === 'and' ? 'true' : 'false';
        return `(${k.conditions.map(condition).join(k.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
  };
  const where = ['c.domain_id = $1'];
  if (q.condition) where.push(condition(q.condition));
  // Each search word's cases are collected once from the trigram index (a materialised CTE) and joined: the
  // planner underestimates LIKE '%word%' badly and would otherwise probe every value of every candidate case.
  const ctes = q.words.map((word, i) => {
    where.push(`c.case_id IN (SELECT case_id FROM w${i})`);
    return `w${i} AS MATERIALIZED (SELECT case_id FROM case_values WHERE domain_id = $1 AND sl LIKE ${p(containsPattern(word), 'text')})`;
  });
  const withWords = ctes.length ? `WITH ${ctes.join(', ')} ` : '';
  const count = valueIndexCount(q) ?? { sql: `${withWords}SELECT count(*)::int AS n FROM cases c WHERE ${where.join(' AND ')}`, params: [...params] };

  const keys: { expr: string; type: string; descending: boolean }[] = [];
  let joins = '';
  if (q.sorts.length === 0) {
    keys.push({ expr: 'c.last_updated_time', type: 'text', descending: true }, { expr: 'c.seq', type: 'bigint', descending: true });
  } else {
    q.sorts.forEach((s, i) => {
      const col = `v${i}.${s.column}`;
      joins += ` LEFT JOIN case_values v${i} ON v${i}.domain_id = c.domain_id AND v${i}.case_id = c.case_id AND v${i}.field_id = ${p(s.fieldId, 'text')}`;
      keys.push({ expr: `(${col} IS NULL)`, type: 'boolean', descending: false }, { expr: col, type: s.column === 's' ? 'text' : 'float8', descending: s.descending });
    });
    keys.push({ expr: 'c.seq', type: 'bigint', descending: q.sorts[q.sorts.length - 1].descending });
  }
  if (q.after) {
    const after = q.after;
    if (after.length !== keys.length) throw new Error('search position does not fit the query');
    // Later than the position: beyond it on the first key, or equal there (NULL equal to NULL) and beyond on the next.
    const alternatives = keys.map((key, i) => {
      const terms = keys.slice(0, i).map((k, j) => `${k.expr} IS NOT DISTINCT FROM ${p(after[j], k.type)}`);
      terms.push(`${key.expr} ${key.descending ? '<' : '>'} ${p(after[i], key.type)}`);
      return `(${terms.join(' AND ')})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const select = keys.map((k, i) => `${k.expr} AS k${i}`).join(', ');
  const order = keys.map((k) => `${k.expr}${k.descending ? ' DESC' : ''}`).join(', ');
  const sql = `${withWords}SELECT c.*, ${select} FROM cases c${joins} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit, 'int')}`;
  return { count, page: { sql, params }, keys: keys.length };
}

const toDelivery = (r: Row): EventDelivery => ({
  sinkId: r.sink_id,
  eventSeq: Number(r.event_seq),
  eventId: r.event_id,
  domainId: r.domain_id,
  caseId: r.case_id,
  createdTime: r.created_time,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: r.last_error,
});

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
function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  const code = err?.code ?? '';
  if (/^(08|57P)/.test(code) || code === '53300') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(err?.message ?? '');
}

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
  /** Told of every error that made a request fail as "database unavailable", for the operator's log. */
  onUnavailable?: (error: unknown) => void;
}

/** Advisory lock keys: around migrations, and around outbox inserts; any constants unique to opencases work. */
const MIGRATION_LOCK = 0x6f63_6173; // "ocas"

export class PgStore implements Store {
  private constructor(
    readonly pool: pg.Pool,
    private readonly onUnavailable?: (error: unknown) => void,
  ) {}

  /** Connects and brings the schema up to date; fails with a message naming the host when it cannot connect. */
  static async open(opts: PgOptions): Promise<PgStore> {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      // Notice a database host that vanished without closing its connections within a minute, not hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    });
    // An idle connection that breaks is dropped by the pool; the request that next needs one gets a new one.
    pool.on('error', () => undefined);
    const store = new PgStore(pool, opts.onUnavailable);
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

  /** Bulk load: one transaction per batch of insertCase calls (COPY would be faster; not needed so far). */
  async loadCases(batches: AsyncIterable<CaseRecord[]> | Iterable<CaseRecord[]>, progress?: (p: LoadProgress) => void): Promise<number> {
    let loaded = 0;
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      await this.write(async (tx) => {
        for (const c of batch) await tx.insertCase(c);
      });
      loaded += batch.length;
      progress?.({ loaded, phase: 'cases' });
    }
    return loaded;
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
      throw isConnectionError(e) ? this.unavailable(e) : e;
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
        throw isConnectionError(e) ? this.unavailable(e) : e;
      }
      try {
        await client.query(begin);
        return client;
      } catch (e) {
        client.release(e as Error);
        if (!isConnectionError(e)) throw e;
        if (attempt >= this.pool.options.max) throw this.unavailable(e);
      }
    }
  }

  /** The retryable error a request gets while the database cannot be reached. */
  private unavailable(cause: unknown): InternalServerException {
    this.onUnavailable?.(cause);
    return new InternalServerException('The database is unavailable. Please retry the request.', 1);
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
    const sl: (string | null)[] = [];
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
      sl.push(iv.s === null ? null : iv.s.toLowerCase());
      n.push(iv.n);
    }
    if (ids.length) await q(SQL.upsertValues, [domainId, caseId, ids, s, sl, n]);
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
    async searchRelatedItems(query) {
      const { sql, params } = searchRelatedItemsSql(query);
      return (await q(sql, params)).map(toRelatedItem);
    },
    async listCasesForContact(domainId, contactArn, afterCaseId, limit) {
      return (await q(SQL.listCasesForContact, [domainId, contactArn, afterCaseId, limit])).map((r) => ({ caseId: r.case_id, templateId: r.template_id }));
    },

    async searchCases(query) {
      const { count, page, keys } = searchCasesSql(query);
      const totalCount: number = (await one(count.sql, count.params))!.n;
      if (totalCount === 0) return { totalCount, hits: [] };
      const rows = await q(page.sql, page.params);
      return {
        totalCount,
        hits: rows.map((r) => ({
          record: toCase(r),
          // The last key, the bigint creation order, arrives as a string; positions carry it as a number.
          position: Array.from({ length: keys }, (_, i) => (i === keys - 1 ? Number(r[`k${i}`]) : r[`k${i}`])) as CaseSearchPosition,
        })),
      };
    },

    async insertOutboxEvent(e) {
      await q(SQL.insertOutboxEvent, [e.eventId, e.domainId, e.caseId, e.createdTime, e.payload]);
    },
    async fanOutEvents(sinkId) {
      await q(SQL.registerSink, [sinkId]);
      await q(SQL.fanOutEvents, [sinkId]);
      await q(SQL.advanceSink, [sinkId]);
      return Number((await one(SQL.getSinkCursor, [sinkId]))!.cursor);
    },
    async claimDeliveries(sinkId, now, leaseUntil, limit) {
      const rows = (await q(SQL.claimableDeliveries, [sinkId, now, limit])).map(toDelivery);
      if (rows.length) await q(SQL.leaseDeliveries, [leaseUntil, sinkId, rows.map((d) => d.eventSeq)]);
      return rows;
    },
    async completeDelivery(sinkId, eventSeq) {
      await q(SQL.completeDelivery, [sinkId, eventSeq]);
    },
    async failDelivery(sinkId, eventSeq, f) {
      await q(SQL.failDelivery, [sinkId, eventSeq, f.attempts, f.nextAttemptAt, f.dead ? 'dead' : 'pending', f.error]);
    },
    async listDeadDeliveries() {
      return (await q(SQL.listDeadDeliveries, [])).map(toDelivery);
    },
    async requeueDeadDeliveries(eventIds) {
      return (await client.query(eventIds ? SQL.requeueDeadOfEvents : SQL.requeueAllDead, eventIds ? [pgText(eventIds)] : [])).rowCount ?? 0;
    },
    async discardDeadDeliveries(eventIds) {
      return (await client.query(eventIds ? SQL.discardDeadOfEvents : SQL.discardAllDead, eventIds ? [pgText(eventIds)] : [])).rowCount ?? 0;
    },
    async pruneOutbox(cursor) {
      await q(SQL.pruneOutbox, [cursor]);
    },
  };
}
