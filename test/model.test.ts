import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate } from '../scripts/gen-model.js';

test('committed model/spec.ts and model/types.ts match what scripts/gen-model.ts produces', () => {
  const { spec, types } = generate();
  assert.equal(readFileSync('model/spec.ts', 'utf8'), spec, 'model/spec.ts is stale: run npm run gen:model');
  assert.equal(readFileSync('model/types.ts', 'utf8'), types, 'model/types.ts is stale: run npm run gen:model');
});

test('the vendored spec is the shared reference, when the reference is beside the checkout', () => {
  const shared = '../shared/reference/connectcases-2022-10-03.service-2.json';
  let reference: string | undefined;
  try {
    reference = readFileSync(shared, 'utf8');
  } catch {
    reference = undefined;
  }
  const vendored = readFileSync('model/source/connectcases-2022-10-03.service-2.json', 'utf8');
  assert.ok(JSON.parse(vendored).operations.CreateCase, 'vendored spec holds the operations');
  if (reference !== undefined) assert.equal(vendored, reference);
});
