/** The Store conformance suite against the SQLite backend, in memory. */
import { storeConformance } from '../src/store/store.conformance.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

storeConformance('SQLite', async () => new SqliteStore({ dataDir: ':memory:' }));
