/**
 * Runs test files against PostgreSQL: starts one embedded PostgreSQL 18, points OPENCASES_TEST_DATABASE_URL at
 * it (startTestServer in test/helpers.ts then gives every test server a fresh database on it), runs
 * `node --test` on the given files, and stops the cluster.
 *   node --import tsx test/support/run-with-postgres.ts test/cases.test.ts ...
 */
import { spawn } from 'node:child_process';
import { startTestPostgres } from './postgres.js';

const files = process.argv.slice(2);
const cluster = await startTestPostgres();
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, OPENCASES_TEST_DATABASE_URL: cluster.adminUrl },
  });
  child.on('exit', (c) => resolve(c ?? 1));
});
await cluster.stop();
process.exit(code);
