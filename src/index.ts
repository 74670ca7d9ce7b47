/** The programmatic API: `import { startServer } from 'opencases'`. */
export { startServer, VERSION, type StartOptions, type RunningServer } from './server.js';
export type { ServerConfig } from './config.js';
export type { Store, Tx } from './store/types.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
