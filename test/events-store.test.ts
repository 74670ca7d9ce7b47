/** The outbox conformance cases against both backends: SQLite in memory and an embedded PostgreSQL 18. */
import { after, before } from 'node:test';
import { outboxConformance } from '../src/events/outbox.conformance.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

outboxConformance('SQLite', async () => new SqliteStore({ dataDir: ':memory:' }));

let cluster: TestPostgres;
before(async () => {
  cluster = await startTestPostgres();
});
after(async () => {
  await cluster.stop();
});

outboxConformance('PostgreSQL', async () => PgStore.open({ url: await cluster.createDatabase() }));
