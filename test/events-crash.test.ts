/** The event stream across process deaths: a server killed with SIGKILL mid-delivery loses no event. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  PutCaseEventConfigurationCommand,
  UpdateCaseCommand,
  type ConnectCasesClient,
} from '@aws-sdk/client-connectcases';
import { clientFor } from './helpers.js';
import { Receiver } from './events-receiver.js';

const ROOT = new URL('..', import.meta.url).pathname;
const run = promisify(execFile);

interface Child {
  proc: ChildProcess;
  endpoint: string;
}

/** `opencases serve` as a child process on a random port; resolves once it listens. */
function serve(args: string[]): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--log-level', 'info', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (c) => (err += c));
    proc.stdout!.on('data', (c) => {
      out += c;
      const m = /"port":(\d+)[^\n]*opencases listening/.exec(out);
      if (m) resolve({ proc, endpoint: `http://127.0.0.1:${m[1]}` });
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

const exited = (c: Child) => new Promise((resolve) => (c.proc.exitCode !== null || c.proc.signalCode !== null ? resolve(null) : c.proc.once('exit', resolve)));

async function setUp(client: ConnectCasesClient) {
  const { domainId } = await client.send(new CreateDomainCommand({ name: `crash-${process.pid}-${Date.now()}` }));
  const notes = (await client.send(new CreateFieldCommand({ domainId, name: 'Notes', type: 'Text' }))).fieldId!;
  const templateId = (await client.send(new CreateTemplateCommand({ domainId, name: 'Basic', status: 'Active' }))).templateId!;
  await client.send(
    new PutCaseEventConfigurationCommand({ domainId, eventBridge: { enabled: true, includedData: { caseData: { fields: [{ id: notes }] } } } }),
  );
  const createCase = async (note: string) =>
    (
      await client.send(
        new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: 't' } }, { id: notes, value: { stringValue: note } }] }),
      )
    ).caseId!;
  const setNotes = (caseId: string, note: string) =>
    client.send(new UpdateCaseCommand({ domainId, caseId, fields: [{ id: notes, value: { stringValue: note } }] }));
  return { domainId: domainId!, notes, createCase, setNotes };
}

describe('event delivery across a SIGKILL', () => {
  let dir: string;
  const receiver = new Receiver();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-events-'));
    await receiver.start();
  });
  after(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a server killed mid-delivery and restarted delivers every event, in order per case', { timeout: 120_000 }, async () => {
    const args = ['--data-dir', dir, '--webhook-url', receiver.url, '--event-timeout-ms', '1000', '--event-retry-ms', '50'];
    let server = await serve(args);
    let client = clientFor(server.endpoint);
    const s = await setUp(client);
    const cases = [await s.createCase('v0')];
    await receiver.waitFor(1);

    // From here the receiver takes requests and never answers: deliveries are in flight when the server dies.
    receiver.hang = true;
    for (let i = 0; i < 3; i++) cases.push(await s.createCase('v0'));
    for (let v = 1; v <= 2; v++) for (const c of cases) await s.setNotes(c, `v${v}`);
    for (let i = 0; i < 100 && receiver.hung === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(receiver.hung > 0, 'a delivery was in flight');
    server.proc.kill('SIGKILL');
    await exited(server);
    client.destroy();
    receiver.release();

    server = await serve(args);
    client = clientFor(server.endpoint);
    try {
      const total = cases.length * 3;
      await receiver.waitFor(total, 60_000);
      // At least once: a repeat is allowed, a gap or an overtaking is not.
      const deadline = Date.now() + 30_000;
      while (new Set(receiver.received.map((r) => r.json.id)).size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(new Set(receiver.received.map((r) => r.json.id)).size, total, 'every event arrived');
      for (const c of cases) {
        const seen: string[] = [];
        for (const r of receiver.received) {
          if (r.json.detail.case.caseId !== c) continue;
          const note = `${r.json.detail.eventType}:${r.json.detail.case.fields[s.notes].value.stringValue}`;
          if (!seen.includes(note)) seen.push(note);
        }
        assert.deepEqual(seen, ['CASE.CREATED:v0', 'CASE.UPDATED:v1', 'CASE.UPDATED:v2'], `case ${c} in order`);
      }
    } finally {
      client.destroy();
      server.proc.kill('SIGTERM');
      await exited(server);
    }
  });

  test('opencases events dead lists parked events and requeue delivers them', { timeout: 120_000 }, async () => {
    const dataDir = join(dir, 'dead');
    receiver.status = 500;
    const server = await serve(['--data-dir', dataDir, '--webhook-url', receiver.url, '--event-max-attempts', '2', '--event-retry-ms', '50']);
    const client = clientFor(server.endpoint);
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'events', ...args, '--data-dir', dataDir], { cwd: ROOT });
    try {
      const s = await setUp(client);
      const caseId = await s.createCase('parked');
      let lines: any[] = [];
      for (let i = 0; i < 60 && lines.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const { stdout } = await cli('dead');
        lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      }
      assert.equal(lines.length, 1);
      assert.equal(lines[0].caseId, caseId);
      assert.equal(lines[0].attempts, 2);
      assert.equal(lines[0].sink, `webhook:${receiver.url}`);
      assert.match(lines[0].lastError, /HTTP 500/);

      receiver.status = 200;
      const before = receiver.received.length;
      const { stdout } = await cli('requeue', '--id', lines[0].eventId);
      assert.match(stdout, /requeued 1 /);
      const [got] = (await receiver.waitFor(before + 1)).slice(before);
      assert.equal(got.json.id, lines[0].eventId);
      assert.equal((await cli('dead')).stdout, '');
      await assert.rejects(
        run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'events', 'dead', '--data-dir', join(dir, 'no-such-dir')], { cwd: ROOT }),
        /no opencases database/,
      );
    } finally {
      client.destroy();
      server.proc.kill('SIGTERM');
      await exited(server);
    }
  });
});
