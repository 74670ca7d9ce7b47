/** The `opencases serve` command as a child process: flags, environment variables, refusals, shutdown. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDomainCommand, GetDomainCommand } from '@aws-sdk/client-connectcases';
import { assertError, assertQuota, clientFor } from './helpers.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli.ts')];

const tmpDirs: string[] = [];
const children: ChildProcess[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opencases-serve-'));
  tmpDirs.push(dir);
  return dir;
}

/** The environment without any OPENCASES_* or PORT of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPENCASES_') && k !== 'PORT') env[k] = v;
  return { ...env, ...extra };
}

interface Served {
  child: ChildProcess;
  /** The pino line announcing the server, parsed. */
  listening: { port: number; host: string; dataDir: string; mode: string; msg: string };
  endpoint: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `opencases serve` and waits for its "listening" log line (which carries the real port when --port 0). */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [...CLI, 'serve', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    child.stdout!.on('data', (c) => {
      out += c;
      for (const line of out.split('\n')) {
        if (!line.includes('opencases listening')) continue;
        const listening = JSON.parse(line);
        resolve({ child, listening, endpoint: `http://127.0.0.1:${listening.port}`, exited });
        return;
      }
    });
    exited.then(({ code }) => reject(new Error(`opencases serve exited with ${code} before listening: ${err}`)));
  });
}

/** Runs the command to its end and returns exit code and output. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function stop(s: Served) {
  s.child.kill('SIGTERM');
  return s.exited;
}

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('opencases serve', () => {
  test('flags: port 0, data dir and region; SIGTERM exits 0', async () => {
    const dataDir = tmp();
    const s = await serve(['--port', '0', '--data-dir', dataDir, '--region', 'eu-west-1', '--log-level', 'info']);
    assert.ok(s.listening.port > 0);
    assert.equal(s.listening.host, '127.0.0.1');
    assert.equal(s.listening.dataDir, dataDir);
    assert.equal(s.listening.mode, 'dev');
    const client = clientFor(s.endpoint, undefined, 'eu-west-1');
    const created = await client.send(new CreateDomainCommand({ name: 'served' }));
    assert.match(created.domainArn!, /^arn:aws:cases:eu-west-1:000000000000:domain\//);
    assert.ok(readdirSync(dataDir).length > 0, 'the SQLite database lives in the data directory');
    client.destroy();
    assert.deepEqual(await stop(s), { code: 0, signal: null });
  });

  test('environment variables: PORT, OPENCASES_DATA_DIR, OPENCASES_REGION, OPENCASES_QUOTAS', async () => {
    const dataDir = tmp();
    const s = await serve([], { PORT: '0', OPENCASES_DATA_DIR: dataDir, OPENCASES_REGION: 'ap-south-1', OPENCASES_QUOTAS: 'domainsPerAccount=1' });
    assert.equal(s.listening.dataDir, dataDir);
    const client = clientFor(s.endpoint, undefined, 'ap-south-1');
    const created = await client.send(new CreateDomainCommand({ name: 'env-one' }));
    assert.match(created.domainArn!, /^arn:aws:cases:ap-south-1:/);
    await assertQuota(client.send(new CreateDomainCommand({ name: 'env-two' })), /1 domains/);
    client.destroy();
    assert.equal((await stop(s)).code, 0);
  });

  test('flags win over environment variables; --quota is repeatable', async () => {
    const s = await serve(['--port', '0', '--data-dir', ':memory:', '--region', 'us-west-2', '--quota', 'domainsPerAccount=2', '--quota', 'fieldsPerDomain=5'], {
      OPENCASES_REGION: 'eu-central-1',
      OPENCASES_QUOTAS: 'domainsPerAccount=1',
    });
    const client = clientFor(s.endpoint, undefined, 'us-west-2');
    await client.send(new CreateDomainCommand({ name: 'flag-one' }));
    const second = await client.send(new CreateDomainCommand({ name: 'flag-two' }));
    assert.match(second.domainArn!, /^arn:aws:cases:us-west-2:/);
    await assertQuota(client.send(new CreateDomainCommand({ name: 'flag-three' })));
    client.destroy();
    assert.equal((await stop(s)).code, 0);
  });

  test('--credentials (and OPENCASES_CREDENTIALS) start strict mode, which may listen beyond loopback', async () => {
    const dir = tmp();
    const file = join(dir, 'credentials.json');
    const cred = { accessKeyId: 'AKIDSERVE', secretAccessKey: 'serve-secret', accountId: '777788889999' };
    writeFileSync(file, JSON.stringify({ credentials: [cred] }));
    for (const [args, env] of [
      [['--port', '0', '--data-dir', ':memory:', '--host', '0.0.0.0', '--credentials', file], {}],
      [['--data-dir', ':memory:'], { PORT: '0', OPENCASES_HOST: '0.0.0.0', OPENCASES_CREDENTIALS: file }],
    ] as const) {
      const s = await serve([...args], env);
      assert.equal(s.listening.mode, 'strict');
      assert.equal(s.listening.host, '0.0.0.0');
      const client = clientFor(s.endpoint, cred);
      const created = await client.send(new CreateDomainCommand({ name: 'strict' }));
      assert.match(created.domainArn!, /:777788889999:domain\//);
      const stranger = clientFor(s.endpoint);
      await assertError(stranger.send(new GetDomainCommand({ domainId: created.domainId })), 'UnrecognizedClientException', 403);
      client.destroy();
      stranger.destroy();
      assert.equal((await stop(s)).code, 0);
    }
  });

  test('a non-loopback host without credentials is refused with a clear message and a non-zero exit', async () => {
    for (const [args, env] of [
      [['--host', '0.0.0.0', '--port', '0', '--data-dir', ':memory:'], {}],
      [['--port', '0', '--data-dir', ':memory:'], { OPENCASES_HOST: '0.0.0.0' }],
    ] as const) {
      const r = await runCli(['serve', ...args], env);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Refusing to listen on 0\.0\.0\.0 without --credentials/);
    }
  });

  test('--help and no command print the usage, naming every flag and its variable', async () => {
    for (const args of [['serve', '--help'], ['serve', '-h'], ['--help'], []]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: opencases serve \[options\]/);
      for (const flag of ['--port', '--host', '--data-dir', '--region', '--credentials', '--enforce-case-rules', '--quota', '--log-level']) {
        assert.ok(r.stdout.includes(flag), `usage names ${flag}`);
      }
      for (const v of ['PORT', 'OPENCASES_HOST', 'OPENCASES_DATA_DIR', 'OPENCASES_REGION', 'OPENCASES_CREDENTIALS', 'OPENCASES_QUOTAS', 'OPENCASES_LOG_LEVEL']) {
        assert.ok(r.stdout.includes(v), `usage names ${v}`);
      }
    }
  });

  test('invalid flags, values and commands exit 2 with a message naming them', async () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['serve', '--bogus'], /Unknown option '--bogus'/],
      [['serve', '--port', 'abc'], /invalid --port 'abc'/],
      [['serve', '--port', '70000'], /invalid --port '70000'/],
      [['serve'], /invalid --port 'x'/, { PORT: 'x' }],
      [['serve', '--quota', 'nope=1'], /invalid quota 'nope=1'.*domainsPerAccount/],
      [['serve', '--log-level', 'loud'], /invalid --log-level 'loud': expected one of fatal, error, warn, info, debug, trace, silent/],
      [['serve'], /invalid --log-level 'verbose'/, { OPENCASES_LOG_LEVEL: 'verbose' }],
      [['serve', '--credentials', '/nonexistent/credentials.json', '--port', '0'], /Cannot read credentials file \/nonexistent\/credentials\.json/],
      [['launch'], /unknown command 'launch'/],
    ];
    for (const [args, message, env] of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^opencases: /);
      assert.match(r.stderr, message);
    }
  });

  test('`npm start -- ARGS` forwards the arguments to `opencases serve`', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts.start, 'node dist/src/cli.js serve');
    assert.equal(pkg.scripts.prestart, 'npm run build', 'npm start builds first');
    // A shell that prints its command instead of running it shows what npm would run, without building.
    const dir = tmp();
    const shell = join(dir, 'echo-shell.sh');
    writeFileSync(shell, '#!/bin/sh\nprintf "%s\\n" "$2"\n');
    chmodSync(shell, 0o755);
    const { stdout } = await run('npm', ['start', '--silent', '--ignore-scripts', '--script-shell', shell, '--', '--port', '4599', '--data-dir', '/tmp/x'], {
      cwd: ROOT,
      env: cleanEnv(),
      timeout: 60_000,
    });
    assert.equal(stdout.trim(), 'node dist/src/cli.js serve --port 4599 --data-dir /tmp/x');
  });
});
