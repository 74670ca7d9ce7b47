/**
 * Schema of the PostgreSQL store, versioned in the table opencases_schema. It mirrors the SQLite schema
 * (../sqlite/migrations.ts) with these choices:
 * - Documents are `json`, not `jsonb`: json keeps the text exactly as written (key order, and `\u0000` escapes,
 *   which jsonb refuses), so records round-trip as they do on SQLite.
 * - Timestamps stay ISO-8601 text, so they come back character for character as they were stored.
 * - Every text column is COLLATE "C": comparisons and ORDER BY are bytewise, as SQLite's BINARY collation.
 * - seq columns are identity columns (sequences); like AUTOINCREMENT they only grow and are never reused.
 * Each migration runs once, in its own transaction, under an advisory lock; add new ones at the end, never
 * edit a landed one.
 */
export const migrations: string[] = [
  /* 1: metadata documents, tags, cases with their indexed values, audit, idempotency, related items */ `
  CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text COLLATE "C" NOT NULL);

  CREATE TABLE resources (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text COLLATE "C" NOT NULL,
    scope text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    name text COLLATE "C",
    deleted boolean NOT NULL DEFAULT false,
    data json NOT NULL
  );
  CREATE UNIQUE INDEX resources_key ON resources (kind, scope, id);
  CREATE INDEX resources_list ON resources (kind, scope, seq);
  CREATE INDEX resources_name ON resources (kind, scope, name) WHERE NOT deleted;

  CREATE TABLE tags (arn text COLLATE "C" PRIMARY KEY, tags json NOT NULL);

  CREATE TABLE cases (
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    template_id text COLLATE "C" NOT NULL,
    reference_number text COLLATE "C" NOT NULL,
    created_time text COLLATE "C" NOT NULL,
    last_updated_time text COLLATE "C" NOT NULL,
    fields json NOT NULL,
    tags json NOT NULL,
    PRIMARY KEY (domain_id, case_id)
  );
  CREATE UNIQUE INDEX cases_reference ON cases (domain_id, reference_number);
  CREATE INDEX cases_updated ON cases (domain_id, last_updated_time DESC, case_id);

  -- One row per (case, field) holding a value, typed for filtering and sorting:
  -- s for Text/Url/SingleSelect/DateTime/User values, n for Number and Boolean (0/1).
  CREATE TABLE case_values (
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    field_id text COLLATE "C" NOT NULL,
    s text COLLATE "C",
    n double precision,
    PRIMARY KEY (domain_id, case_id, field_id)
  );
  CREATE INDEX case_values_s ON case_values (domain_id, field_id, s) WHERE s IS NOT NULL;
  CREATE INDEX case_values_n ON case_values (domain_id, field_id, n) WHERE n IS NOT NULL;

  CREATE TABLE audit_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    event json NOT NULL
  );
  CREATE INDEX audit_case ON audit_events (domain_id, case_id, seq);

  CREATE TABLE idempotency (
    domain_id text COLLATE "C" NOT NULL,
    token text COLLATE "C" NOT NULL,
    request_hash text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    created_time text COLLATE "C" NOT NULL,
    PRIMARY KEY (domain_id, token)
  );
  CREATE INDEX idempotency_case ON idempotency (domain_id, case_id);

  CREATE TABLE related_items (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    related_item_id text COLLATE "C" NOT NULL,
    type text COLLATE "C" NOT NULL,
    association_time text COLLATE "C" NOT NULL,
    search_key text COLLATE "C",
    content json NOT NULL,
    performed_by json
  );
  CREATE UNIQUE INDEX related_items_key ON related_items (domain_id, case_id, related_item_id);
  CREATE INDEX related_items_case ON related_items (domain_id, case_id, type, seq);
  CREATE INDEX related_items_search ON related_items (domain_id, type, search_key);
  `,
  /* 2: related-item search sorts and the cases of a contact; case search (creation order, lower-cased text values
     with trigram indexes for contains and searchTerm); the case event outbox with per-sink delivery state */ `
  DROP INDEX related_items_search;
  CREATE INDEX related_items_search ON related_items (domain_id, type, search_key, case_id);
  CREATE INDEX related_items_time ON related_items (domain_id, association_time, seq);
  CREATE INDEX related_items_case_seq ON related_items (domain_id, case_id, seq);

  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  -- Creation order breaks ties between cases in searches.
  ALTER TABLE cases ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
  CREATE UNIQUE INDEX cases_seq ON cases (domain_id, seq);
  -- s lower-cased by JavaScript's toLowerCase (all of Unicode, as the SQLite search), for contains and searchTerm.
  ALTER TABLE case_values ADD COLUMN sl text COLLATE "C";
  CREATE INDEX case_values_sl ON case_values USING gin (sl gin_trgm_ops);

  CREATE TABLE event_outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text COLLATE "C" NOT NULL,
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    created_time text COLLATE "C" NOT NULL,
    payload text COLLATE "C" NOT NULL
  );
  CREATE INDEX event_outbox_id ON event_outbox (event_id);

  CREATE TABLE event_sinks (sink_id text COLLATE "C" PRIMARY KEY, cursor bigint NOT NULL);

  CREATE TABLE event_deliveries (
    sink_id text COLLATE "C" NOT NULL,
    event_seq bigint NOT NULL,
    domain_id text COLLATE "C" NOT NULL,
    case_id text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL DEFAULT 0,
    claimed_until bigint NOT NULL DEFAULT 0,
    last_error text COLLATE "C",
    PRIMARY KEY (sink_id, event_seq)
  );
  CREATE INDEX event_deliveries_case ON event_deliveries (sink_id, domain_id, case_id, event_seq);
  CREATE INDEX event_deliveries_event ON event_deliveries (event_seq);
  CREATE INDEX event_deliveries_dead ON event_deliveries (status) WHERE status = 'dead';
  `,
  /* 3: SearchCases on large domains */ `
  -- Value indexes that end in the case id answer a filter and its count from the index alone (index-only scans),
  -- without visiting case_values rows.
  CREATE INDEX case_values_s_case ON case_values (domain_id, field_id, s, case_id) WHERE s IS NOT NULL;
  CREATE INDEX case_values_n_case ON case_values (domain_id, field_id, n, case_id) WHERE n IS NOT NULL;
  DROP INDEX case_values_s;
  DROP INDEX case_values_n;
  -- The default order is last update, then creation: an index in exactly that order can be walked for a page
  -- instead of sorting every match.
  CREATE INDEX cases_updated_seq ON cases (domain_id, last_updated_time DESC, seq DESC);
  DROP INDEX cases_updated;
  `,
  /* 4: the outbox is fanned out by transaction id instead of taking turns at insertion */ `
  -- Each event records the transaction that wrote it; a sink's cursor is a transaction id below which every
  -- transaction has ended (pg-store.ts explains why). Events written before this migration get its own id.
  ALTER TABLE event_outbox ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
  CREATE INDEX event_outbox_xid ON event_outbox (xid);
  -- Existing sinks: queue what they have not seen yet, then continue after this migration's transaction.
  INSERT INTO event_deliveries (sink_id, event_seq, domain_id, case_id)
    SELECT s.sink_id, o.seq, o.domain_id, o.case_id FROM event_sinks s JOIN event_outbox o ON o.seq > s.cursor
    ON CONFLICT (sink_id, event_seq) DO NOTHING;
  ALTER TABLE event_sinks ADD COLUMN cursor_xid xid8 NOT NULL DEFAULT '0';
  UPDATE event_sinks SET cursor_xid = (pg_current_xact_id()::text::bigint + 1)::text::xid8;
  ALTER TABLE event_sinks DROP COLUMN cursor;
  `,
  /* 5: planner statistics on which values each field holds */ `
  -- Without them PostgreSQL multiplies the selectivities of field_id and s as if independent, and estimates a
  -- field value held by 25,000 of 100,000 cases at ~1,000 rows: the wrong join for counts and sorts.
  CREATE STATISTICS case_values_field_value (mcv) ON field_id, s FROM case_values;
  ANALYZE case_values;
  `,
];
