import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateTemplateCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  ListDomainsCommand,
  SearchCasesCommand,
} from '@aws-sdk/client-connectcases';
import { startTestServer, type TestServer } from './helpers.js';
import { portabilityFixture, type PortabilityFixture } from './support/portability-fixture.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'oc-portability-cli-'));

/** Runs the CLI without blocking this process, whose servers it talks to. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('opencases export | import | copy', () => {
  let source: TestServer;
  let fx: PortabilityFixture;
  before(async () => {
    source = await startTestServer();
    fx = await portabilityFixture(source.client, 'cli-source');
  });
  after(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an export to stdout whose reader stops early (| head) ends quietly, without a stack trace', async () => {
    const { domainId } = await source.client.send(new CreateDomainCommand({ name: 'many-pages' }));
    const { templateId } = await source.client.send(new CreateTemplateCommand({ domainId, name: 't', status: 'Active' }));
    for (let i = 0; i < 80; i++) {
      await source.client.send(new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: `case ${i} ${'x'.repeat(400)}` } }] }));
    }
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'export', '--endpoint', source.server.endpoint, '--domain', domainId!, '--quiet'], { env });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    // The first line read, the reader goes away, as `head -1` does.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|at /);
  });

  test('export to a file, import it into a data dir, and a server on that dir serves the same cases and history', async () => {
    const out = join(dir, 'export.ndjson');
    const exp = await cli(['export', '--endpoint', source.server.endpoint, '--domain', fx.domainId, '--out', out]);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stderr, /exported .*3 cases, 7 relatedItems/);
    assert.equal(readFileSync(out, 'utf8').split('\n')[0], '{"type":"header","format":"opencases-domain-export","version":1}');
    const toStdout = await cli(['export', '--endpoint', source.server.endpoint, '--domain', fx.domainId, '--quiet']);
    assert.equal(toStdout.code, 0, toStdout.stderr);
    assert.equal(toStdout.stdout, readFileSync(out, 'utf8'));
    assert.equal(toStdout.stderr.includes('cases/s'), false);

    const dataDir = join(dir, 'data');
    const imp = await cli(['import', '--in', out, '--data-dir', dataDir, '--quiet']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stderr, new RegExp(`imported domain ${fx.domainId}: created .*3 cases`));

    const target = await startTestServer({ dataDir });
    try {
      const fields = [{ id: 'title' }, { id: 'reference_number' }, { id: 'created_datetime' }, { id: fx.fields.amount }];
      for (const caseId of fx.caseIds) {
        const got = await target.client.send(new GetCaseCommand({ domainId: fx.domainId, caseId, fields }));
        const want = await source.client.send(new GetCaseCommand({ domainId: fx.domainId, caseId, fields }));
        assert.deepEqual(got.fields, want.fields);
        const audit = (c: typeof target) => c.client.send(new GetCaseAuditEventsCommand({ domainId: fx.domainId, caseId })).then((r) => r.auditEvents);
        assert.deepEqual(await audit(target), await audit(source));
      }
    } finally {
      await target.close();
    }
  });

  test('copy moves a domain between two endpoints and writes the id map', async () => {
    const target = await startTestServer();
    try {
      const map = join(dir, 'copy.map.ndjson');
      const r = await cli(['copy', '--from', source.server.endpoint, '--to', target.server.endpoint, '--domain', fx.domainId, '--map', map, '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /created .*3 cases, 7 relatedItems.*not importable through the API: 1 fields, \d+ auditEvents/);
      const [domain] = (await target.client.send(new ListDomainsCommand({}))).domains!;
      assert.equal(domain.name, 'cli-source');
      assert.equal((await target.client.send(new SearchCasesCommand({ domainId: domain.domainId }))).totalCount, 3);
      assert.match(readFileSync(map, 'utf8'), new RegExp(`"old":"${fx.caseIds[0]}"`));
    } finally {
      await target.close();
    }
  });

  test('a bad file fails with its line number and a non-zero exit', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"type":"header","format":"opencases-domain-export","version":1}\nnot json\n');
    const r = await cli(['import', '--in', bad, '--data-dir', join(dir, 'never'), '--quiet']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /opencases: line 2: not valid JSON/);
    // The file is read through before the target is opened: no data dir was made.
    assert.equal(existsSync(join(dir, 'never')), false);
    const usage = await cli(['import', '--in', bad]);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /import needs exactly one of --endpoint, --data-dir and --database-url/);
  });
});
