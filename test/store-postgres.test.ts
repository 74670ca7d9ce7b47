/** The Store conformance suite against the PostgreSQL backend: an embedded PostgreSQL 18, a fresh database per case. */
import { after, before } from 'node:test';
import { storeConformance } from '../src/store/store.conformance.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

let cluster: TestPostgres;
before(async () => {
  cluster = await startTestPostgres();
});
after(async () => {
  await cluster.stop();
});

storeConformance('PostgreSQL', async () => PgStore.open({ url: await cluster.createDatabase() }));
