/**
 * Schema of the SQLite store, versioned by PRAGMA user_version. Each migration runs once, in its own
 * transaction; add new ones at the end, never edit a landed one.
 */
export const migrations: string[] = [
  /* 1: metadata documents, tags, cases with their indexed values, audit, idempotency, related items */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  CREATE TABLE resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX resources_key ON resources (kind, scope, id);
  CREATE INDEX resources_list ON resources (kind, scope, seq);
  CREATE INDEX resources_name ON resources (kind, scope, name) WHERE deleted = 0;

  CREATE TABLE tags (arn TEXT PRIMARY KEY, tags TEXT NOT NULL) STRICT;

  CREATE TABLE cases (
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    reference_number TEXT NOT NULL,
    created_time TEXT NOT NULL,
    last_updated_time TEXT NOT NULL,
    fields TEXT NOT NULL,
    tags TEXT NOT NULL,
    PRIMARY KEY (domain_id, case_id)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX cases_reference ON cases (domain_id, reference_number);
  CREATE INDEX cases_updated ON cases (domain_id, last_updated_time DESC, case_id);

  -- One row per (case, field) holding a value, typed for filtering and sorting:
  -- s for Text/Url/SingleSelect/DateTime/User values, n for Number and Boolean (0/1).
  CREATE TABLE case_values (
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    s TEXT,
    n REAL,
    PRIMARY KEY (domain_id, case_id, field_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX case_values_s ON case_values (domain_id, field_id, s) WHERE s IS NOT NULL;
  CREATE INDEX case_values_n ON case_values (domain_id, field_id, n) WHERE n IS NOT NULL;

  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    event TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_case ON audit_events (domain_id, case_id, seq);

  CREATE TABLE idempotency (
    domain_id TEXT NOT NULL,
    token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT NOT NULL,
    created_time TEXT NOT NULL,
    PRIMARY KEY (domain_id, token)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX idempotency_case ON idempotency (domain_id, case_id);

  CREATE TABLE related_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    related_item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    association_time TEXT NOT NULL,
    search_key TEXT,
    content TEXT NOT NULL,
    performed_by TEXT
  ) STRICT;
  CREATE UNIQUE INDEX related_items_key ON related_items (domain_id, case_id, related_item_id);
  CREATE INDEX related_items_case ON related_items (domain_id, case_id, type, seq);
  CREATE INDEX related_items_search ON related_items (domain_id, type, search_key);
  `,
  /* 2: related-item search: domain-wide sorts by association time or case id, and the cases of a contact by
     case id (the search index gains case_id so ListCasesForContact pages without sorting) */ `
  DROP INDEX related_items_search;
  CREATE INDEX related_items_search ON related_items (domain_id, type, search_key, case_id);
  CREATE INDEX related_items_time ON related_items (domain_id, association_time, seq);
  CREATE INDEX related_items_case_seq ON related_items (domain_id, case_id, seq);
  `,
  /* 3: case event stream: the transactional outbox, each delivery sink's cursor into it, and per-sink delivery
     state. claimed_until is a lease, so several processes sharing one database can claim work safely. */ `
  CREATE TABLE event_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    created_time TEXT NOT NULL,
    payload TEXT NOT NULL
  ) STRICT;
  CREATE INDEX event_outbox_id ON event_outbox (event_id);

  CREATE TABLE event_sinks (sink_id TEXT PRIMARY KEY, cursor INTEGER NOT NULL) STRICT;

  CREATE TABLE event_deliveries (
    sink_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (sink_id, event_seq)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX event_deliveries_case ON event_deliveries (sink_id, domain_id, case_id, event_seq);
  CREATE INDEX event_deliveries_event ON event_deliveries (event_seq);
  CREATE INDEX event_deliveries_dead ON event_deliveries (status) WHERE status = 'dead';
  `,
  /* case search index (docs/search.md): integer numbers for domains, fields and cases keep the value and tag
     indexes compact at a million cases; a contentless FTS5 trigram table narrows substring searches.
     It replaces case_values, whose rows it takes over. */ `
  -- cases: how many cases the domain has, which decides how a search is planned.
  CREATE TABLE search_domains (dno INTEGER PRIMARY KEY, domain_id TEXT NOT NULL UNIQUE, cases INTEGER NOT NULL DEFAULT 0) STRICT;
  CREATE TABLE search_fields (
    fno INTEGER PRIMARY KEY,
    dno INTEGER NOT NULL,
    field_id TEXT NOT NULL,
    UNIQUE (dno, field_id)
  ) STRICT;
  CREATE TABLE search_cases (
    cno INTEGER PRIMARY KEY,
    dno INTEGER NOT NULL,
    case_id TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (dno, case_id)
  ) STRICT;
  CREATE INDEX search_cases_updated ON search_cases (dno, updated, cno);
  -- s for Text/Url/SingleSelect/DateTime/User values, n for Number and Boolean (0/1).
  CREATE TABLE search_values (
    cno INTEGER NOT NULL,
    fno INTEGER NOT NULL,
    s TEXT,
    n REAL,
    PRIMARY KEY (cno, fno)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX search_values_s ON search_values (fno, s, cno) WHERE s IS NOT NULL;
  CREATE INDEX search_values_n ON search_values (fno, n, cno) WHERE n IS NOT NULL;
  CREATE TABLE search_tags (
    cno INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    dno INTEGER NOT NULL,
    PRIMARY KEY (cno, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX search_tags_value ON search_tags (dno, key, value, cno);
  -- detail=none keeps only which cases hold a trigram, not where: queries AND the trigrams of a word, a
  -- superset that the query then checks against the values themselves.
  CREATE VIRTUAL TABLE search_text USING fts5(doc, tokenize = 'trigram', content = '', contentless_delete = 1, detail = none);

  INSERT INTO search_domains (domain_id) SELECT DISTINCT domain_id FROM cases;
  INSERT INTO search_fields (dno, field_id)
    SELECT DISTINCT d.dno, v.field_id FROM case_values v JOIN search_domains d ON d.domain_id = v.domain_id;
  INSERT INTO search_cases (dno, case_id, updated)
    SELECT d.dno, c.case_id, c.last_updated_time FROM cases c JOIN search_domains d ON d.domain_id = c.domain_id;
  INSERT INTO search_values (cno, fno, s, n)
    SELECT sc.cno, f.fno, v.s, v.n FROM case_values v
    JOIN search_domains d ON d.domain_id = v.domain_id
    JOIN search_cases sc ON sc.dno = d.dno AND sc.case_id = v.case_id
    JOIN search_fields f ON f.dno = d.dno AND f.field_id = v.field_id;
  UPDATE search_domains SET cases = (SELECT count(*) FROM search_cases WHERE dno = search_domains.dno);
  INSERT INTO search_tags (cno, key, value, dno)
    SELECT sc.cno, t.key, t.value, sc.dno FROM cases c
    JOIN search_domains d ON d.domain_id = c.domain_id
    JOIN search_cases sc ON sc.dno = d.dno AND sc.case_id = c.case_id, json_each(c.tags) t
    WHERE t.type = 'text';
  INSERT INTO search_text (rowid, doc)
    SELECT cno, lower(group_concat(s, char(10))) FROM search_values WHERE s IS NOT NULL GROUP BY cno;
  DROP TABLE case_values;
  `,
  /* 5: domain-wide related-item search by type, or by type and search key, in association-time order without
     scanning every item of the domain */ `
  CREATE INDEX related_items_type_time ON related_items (domain_id, type, association_time, seq);
  CREATE INDEX related_items_key_time ON related_items (domain_id, type, search_key, association_time, seq);
  `,
  /* 6: no query orders cases by update time any more (the search index keeps its own order, search_cases_updated);
     the index only cost every case write 2-4 pages */ `
  DROP INDEX cases_updated;
  `,
  /* 7: deferred text indexing (docs/search.md): a case write records the case's number here instead of writing
     its FTS5 document; a background indexer moves these into search_text in batches. fresh = 1 when search_text
     holds no row for the number yet (a new case), so the indexer need not delete one. FTS5 no longer merges
     segments on its own (automerge 0), which rewrote megabytes inside an unlucky write: the indexer merges a
     bounded number of pages after each batch; crisismerge stays as a backstop should it fall behind. */ `
  CREATE TABLE search_text_pending (cno INTEGER PRIMARY KEY, fresh INTEGER NOT NULL) STRICT;
  INSERT INTO search_text (search_text, rank) VALUES ('automerge', 0);
  INSERT INTO search_text (search_text, rank) VALUES ('crisismerge', 64);
  `,
  /* 8: cases become a rowid table. A case row is ~2.2 KB (its fields as JSON, keyed by 36-character field ids), and a
     WITHOUT ROWID table keeps whole rows in its interior pages too, a few per 4 KiB page with the rest on overflow
     pages: a lookup by case id walked a deep tree of overflow chains (57 µs against 23 µs as a rowid table at
     50,000 cases, measured), and every insert split such pages. Now the rows sit in rowid order and the primary key
     is a small separate index. */ `
  CREATE TABLE cases_rowid (
    domain_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    reference_number TEXT NOT NULL,
    created_time TEXT NOT NULL,
    last_updated_time TEXT NOT NULL,
    fields TEXT NOT NULL,
    tags TEXT NOT NULL,
    PRIMARY KEY (domain_id, case_id)
  ) STRICT;
  INSERT INTO cases_rowid SELECT domain_id, case_id, template_id, reference_number, created_time, last_updated_time, fields, tags FROM cases;
  DROP TABLE cases;
  ALTER TABLE cases_rowid RENAME TO cases;
  CREATE UNIQUE INDEX cases_reference ON cases (domain_id, reference_number);
  `,
  /* 9: fields that hold user ARNs are marked when their number is made. Their values stay out of the FTS5 documents
     written from then on (a third of a document's characters, from a few distinct users) and searchTerm finds them
     through the value index instead (docs/search.md). Fields numbered before keep user = 0: their values are in
     the documents written so far and go on being written there. */ `
  ALTER TABLE search_fields ADD COLUMN user INTEGER NOT NULL DEFAULT 0;
  `,
  /* 10: the text indexer writes its documents into a second FTS5 table of the same definition, and search_text keeps
     only the documents written before: a bulk load's (one large segment) and those of older versions. The indexer
     deletes a case's old document from both and merges only search_text_recent. Merging a single table, FTS5 soon
     took the load's large segment into a merge with a few small ones and spent the indexer's merge pages on
     rewriting it, for thousands of updates while the segments piled up (docs/search.md, "Two text tables"). */ `
  CREATE VIRTUAL TABLE search_text_recent USING fts5(doc, tokenize = 'trigram', content = '', contentless_delete = 1, detail = none);
  INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('automerge', 0);
  INSERT INTO search_text_recent (search_text_recent, rank) VALUES ('crisismerge', 64);
  `,
  /* 11: the case id and the update time are searched in search_cases, which holds them for every case
     (CASE_COLUMN_FIELDS in search-counts.ts), so their value rows go: two per case, each distinct from case to
     case. The text documents keep both. */ `
  DELETE FROM search_values WHERE fno IN (SELECT fno FROM search_fields WHERE field_id IN ('case_id', 'last_updated_datetime'));
  DELETE FROM search_fields WHERE field_id IN ('case_id', 'last_updated_datetime');
  `,
  /* 12: text documents per value after an update (docs/search.md, "Documents per value"). A case's first document
     still holds all its strings (slot 0); an update writes a small document for each string it changed, under the
     field's slot, and one for the update time (slot 1), instead of rewriting the case's ~600 characters. A
     document's rowid is slot × 2^40 + cno (textKey in search-sql.ts), so the documents written so far, whose rowid
     is the case number, are the cases' first documents as they are. Pending rows name a document by slot and case, in
     that order: the indexer takes them in key order, so its rowids rise within a transaction (FTS5 starts a new
     segment whenever a rowid is not above the last one written). */ `
  ALTER TABLE search_fields ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;
  UPDATE search_fields SET slot = 2 + (SELECT count(*) FROM search_fields f WHERE f.dno = search_fields.dno AND f.fno < search_fields.fno);
  CREATE UNIQUE INDEX search_fields_slot ON search_fields (dno, slot);
  CREATE TABLE search_text_pending_slots (slot INTEGER NOT NULL, cno INTEGER NOT NULL, fresh INTEGER NOT NULL, PRIMARY KEY (slot, cno)) STRICT, WITHOUT ROWID;
  INSERT INTO search_text_pending_slots (slot, cno, fresh) SELECT 0, cno, fresh FROM search_text_pending;
  DROP TABLE search_text_pending;
  ALTER TABLE search_text_pending_slots RENAME TO search_text_pending;
  `,
  /* 13: a new case's search rows (values, tags, search_cases, the marks for the text indexer) are written in
     batches, not in the CreateCase's own transaction (docs/search.md, "Search rows in batches"). The write records
     its case here, durably with the case; a batch writes the rows of the cases listed and takes them off, and a
     search writes the batch first, so it always answers from rows that hold every acknowledged write. After a crash
     the cases listed are indexed again from their rows. */ `
  CREATE TABLE search_dirty (domain_id TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (domain_id, case_id)) STRICT, WITHOUT ROWID;
  `,
];

/**
 * The secondary indexes of the case search index (as migrations 4 and 6 left them) that a bulk load
 * (SqliteStore.loadCases) drops and builds again at its end: one sort is far cheaper than a million inserts at
 * random places. Opening a database creates any that are missing, should a load have been cut short.
 */
export const searchIndexes: { drop: string; create: string }[] = [
  { drop: 'DROP INDEX IF EXISTS search_cases_updated', create: 'CREATE INDEX IF NOT EXISTS search_cases_updated ON search_cases (dno, updated, cno)' },
  { drop: 'DROP INDEX IF EXISTS search_values_s', create: 'CREATE INDEX IF NOT EXISTS search_values_s ON search_values (fno, s, cno) WHERE s IS NOT NULL' },
  { drop: 'DROP INDEX IF EXISTS search_values_n', create: 'CREATE INDEX IF NOT EXISTS search_values_n ON search_values (fno, n, cno) WHERE n IS NOT NULL' },
  { drop: 'DROP INDEX IF EXISTS search_tags_value', create: 'CREATE INDEX IF NOT EXISTS search_tags_value ON search_tags (dno, key, value, cno)' },
];
