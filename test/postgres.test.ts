/**
 * The PostgreSQL backend as a server sees it: clear start-up failures, requests that fail while the database is
 * away and recover when it returns, and two server processes sharing one database under concurrent load.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  GetDomainCommand,
  ListFieldsCommand,
  type ListFieldsCommandOutput,
  UpdateCaseCommand,
  type AuditEvent,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { startServer } from '../src/server.js';
import { assertError, clientFor, startTestServer, uniqueName } from './helpers.js';
import { caseFixture, fv, str } from './support/cases-fixture.js';
import { spawnServer } from './support/crash.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

let cluster: TestPostgres;
before(async () => {
  cluster = await startTestPostgres();
});
after(async () => {
  await cluster.stop();
});

describe('PostgreSQL: connection failures', () => {
  test('a database that cannot be reached at start fails with a message naming its host, never the password', async () => {
    const closed = new URL(cluster.adminUrl);
    // A port that nothing listens on: the cluster's, plus one.
    closed.port = String(Number(closed.port) + 1);
    closed.password = 'hunter2-secret';
    closed.pathname = '/nowhere';
    await assert.rejects(startServer({ databaseUrl: closed.toString() }), (e: Error) => {
      assert.match(e.message, new RegExp(`^Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${closed.port}/nowhere: `));
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
  });

  test('opencases serve exits with that message and status 2', async () => {
    const closed = new URL(cluster.adminUrl);
    closed.port = String(Number(closed.port) + 1);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, DATABASE_URL: closed.toString() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`opencases: Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${closed.port}/postgres: `));
  });

  test('requests fail with a retryable InternalServerException while the database is away, and work again once it is back', async () => {
    const t = await startTestServer({ databaseUrl: await cluster.createDatabase() });
    try {
      const { domainId } = await t.client.send(new CreateDomainCommand({ name: uniqueName('outage') }));
      await cluster.pause();
      try {
        const err = await assertError(t.client.send(new GetDomainCommand({ domainId })), 'InternalServerException', 500, /database is unavailable/);
        assert.equal(err.$response?.headers?.['retry-after'], '1');
        await assertError(t.client.send(new CreateDomainCommand({ name: uniqueName('outage') })), 'InternalServerException', 500);
      } finally {
        await cluster.resume();
      }
      const got = await t.client.send(new GetDomainCommand({ domainId }));
      assert.equal(got.domainId, domainId);
      const second = await t.client.send(new CreateDomainCommand({ name: uniqueName('after') }));
      assert.ok(second.domainId);
    } finally {
      await t.close();
    }
  });
});

describe('PostgreSQL: two server processes on one database', () => {
  let servers: Awaited<ReturnType<typeof spawnServer>>[];
  let clients: ConnectCasesClient[];
  let x: Awaited<ReturnType<typeof caseFixture>>;

  before(async () => {
    const url = await cluster.createDatabase();
    // Started together: both run the migrations' advisory-lock path against an empty database.
    const unusedDataDir = join(tmpdir(), 'opencases-unused');
    servers = await Promise.all([0, 1].map(() => spawnServer(unusedDataDir, ['--database-url', url])));
    clients = servers.map((s) => clientFor(s.endpoint));
    x = await caseFixture(clients[0], uniqueName('two'));
  });
  after(async () => {
    for (const c of clients ?? []) c.destroy();
    await Promise.all(
      (servers ?? []).map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null) return resolve();
            s.child.once('exit', () => resolve());
            s.child.kill('SIGTERM');
          }),
      ),
    );
  });

  const create = (client: ConnectCasesClient, title: string, clientToken?: string) =>
    client.send(new CreateCaseCommand({ domainId: x.domainId, templateId: x.template, clientToken, fields: [fv('title', str(title))] }));

  test('concurrent creations on both processes get distinct reference numbers', async () => {
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => create(clients[i % 2], `load ${i}`)));
    const refs = await Promise.all(
      created.map(async (c, i) => {
        const got = await clients[(i + 1) % 2].send(new GetCaseCommand({ domainId: x.domainId, caseId: c.caseId, fields: [{ id: 'reference_number' }, { id: 'title' }] }));
        assert.equal(got.fields!.find((f) => f.id === 'title')?.value?.stringValue, `load ${i}`);
        return got.fields!.find((f) => f.id === 'reference_number')?.value?.stringValue;
      }),
    );
    assert.equal(refs.filter((r) => typeof r === 'string' && r.length > 0).length, 40);
    assert.equal(new Set(refs).size, 40);
  });

  test('one clientToken sent to both processes at once creates exactly one case', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => create(clients[i % 2], 'idempotent', 'shared-token')));
    assert.equal(new Set(results.map((r) => r.caseId)).size, 1);
    const audit = await clients[1].send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId: results[0].caseId }));
    assert.equal(audit.auditEvents!.length, 1);
  });

  test('concurrent updates of one case through both processes are each applied and audited', async () => {
    const { caseId } = await create(clients[0], 'v0');
    const titles = Array.from({ length: 20 }, (_, i) => `v${i + 1}`);
    await Promise.all(
      titles.map((title, i) => clients[i % 2].send(new UpdateCaseCommand({ domainId: x.domainId, caseId, fields: [fv('title', str(title))] }))),
    );
    const events: (AuditEvent | null)[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients[1].send(new GetCaseAuditEventsCommand({ domainId: x.domainId, caseId, maxResults: 7, nextToken }));
      events.push(...page.auditEvents!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.equal(events.length, 21);
    assert.deepEqual(events.map((e) => e!.type).sort(), ['Case.Created', ...Array(20).fill('Case.Updated')].sort());
    const newValues = events
      .filter((e) => e!.type === 'Case.Updated')
      .map((e) => e!.fields!.find((f) => f!.eventFieldId === 'title')?.newValue?.stringValue);
    assert.deepEqual([...newValues].sort(), [...titles].sort());
    // Newest first: the latest update is what the case holds now.
    const current = await clients[0].send(new GetCaseCommand({ domainId: x.domainId, caseId, fields: [{ id: 'title' }] }));
    assert.equal(current.fields![0].value?.stringValue, newValues[0]);
  });

  test('one field name created on both processes at once is taken exactly once', async () => {
    const name = uniqueName('race');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => clients[i % 2].send(new CreateFieldCommand({ domainId: x.domainId, name, type: 'Text' }))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.name, 'ConflictException');
    const fields = (await clients[1].send(new ListFieldsCommand({ domainId: x.domainId, maxResults: 100 }))).fields!;
    assert.equal(fields.filter((f) => f.name === name).length, 1);
  });

  test('a pagination token from one process continues the listing on the other', async () => {
    for (const name of ['p1', 'p2', 'p3']) await clients[0].send(new CreateFieldCommand({ domainId: x.domainId, name: uniqueName(name), type: 'Text' }));
    const all = (await clients[0].send(new ListFieldsCommand({ domainId: x.domainId, maxResults: 100 }))).fields!.map((f) => f.fieldId);
    const first = await clients[0].send(new ListFieldsCommand({ domainId: x.domainId, maxResults: 2 }));
    assert.ok(first.nextToken);
    const rest: (string | undefined)[] = [];
    let nextToken: string | undefined = first.nextToken;
    while (nextToken) {
      const page: ListFieldsCommandOutput = await clients[1].send(new ListFieldsCommand({ domainId: x.domainId, maxResults: 2, nextToken }));
      rest.push(...page.fields!.map((f) => f.fieldId));
      nextToken = page.nextToken;
    }
    assert.deepEqual([...first.fields!.map((f) => f.fieldId), ...rest], all);
  });
});
