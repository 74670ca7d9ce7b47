// Prints the test files for `npm test` (Node 20's --test takes no globs): every *.test.ts under test/ and src/.
// With --e2e: only the end-to-end files that hold for any store backend, which npm test runs a second time on
// PostgreSQL (test/support/run-with-postgres.ts). Left out there: unit tests, the store suites (they run both
// backends themselves), files that are about the SQLite store or file or spawn server processes of their own, and
// files that build their stores or servers without the test backend (they would run the same tests again).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const BACKEND_SPECIFIC = new RegExp(
  '/(' +
    [
      'model|sigv4|protocol|limits|serve|restart|crash|group-commit|store-[a-z]+|postgres|ids|bench-[a-z]+',
      'events-store|events-crash|events-postgres|workspace-session|server-warnings|write-lock|checkpointer|resource-cache',
      'search-batches|search-bulk-load|search-migrations|search-sets|search-text-index|search-upkeep',
    ].join('|') +
    ')\\.test\\.ts$',
);
const e2eOnly = process.argv.includes('--e2e');
const dirs = e2eOnly ? ['test'] : ['test', 'src'];

const found = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts') && !(e2eOnly && BACKEND_SPECIFIC.test(`/${p}`))) found.push(p);
  }
};
for (const dir of dirs) walk(dir);
console.log(found.sort().join(' '));
