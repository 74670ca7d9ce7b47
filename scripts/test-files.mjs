// Prints the test files for `npm test`: every *.test.ts under test/ and src/ (Node 20's --test takes no globs).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const found = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) found.push(p);
  }
};
for (const dir of process.argv.slice(2).length ? process.argv.slice(2) : ['test', 'src']) walk(dir);
console.log(found.sort().join(' '));
