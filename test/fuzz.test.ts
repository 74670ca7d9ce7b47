/** Short form of the spec-driven fuzzer (the long form is `npm run reliability`). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetDomainCommand } from '@aws-sdk/client-connectcases';
import { startTestServer, type TestServer } from './helpers.js';
import { runFuzz, type FuzzIds } from './support/fuzz.js';
import { seedFuzzTargets } from './support/fuzz-targets.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

let t: TestServer;
let ids: FuzzIds;
before(async () => {
  t = await startTestServer({ quotas: { domainsPerAccount: 1000 } });
  ids = await seedFuzzTargets(t.client);
});
after(() => t.close());

test(`${REQUESTS} generated and mutated requests over all operations: no 5xx, only modelled errors`, { timeout: 300_000 }, async () => {
  const run = await runFuzz(t.server.endpoint, ids, REQUESTS, SEED);
  assert.equal(run.requests, REQUESTS);
  assert.deepEqual(run.violations, [], `seed ${SEED}: contract violations`);
  assert.equal(run.serverErrors, 0);
  for (const k of ['valid', 'mutated', 'malformed-json', 'odd-label', 'huge']) assert.ok(run.byKind[k] > 0, `generated some ${k} requests`);
  const health = await fetch(`${t.server.endpoint}/health`);
  assert.equal(health.status, 200, 'the server is still up');
  // The seeded domain is intact (fuzzed DeleteDomain calls may have removed it only through the API's own rules).
  const got = await t.client.send(new GetDomainCommand({ domainId: ids.domainId })).catch((e) => e);
  assert.ok(got.domainId === ids.domainId || got.name === 'ResourceNotFoundException', `GetDomain answers cleanly: ${got.name ?? 'ok'}`);
});
