#!/usr/bin/env node
/** The `opencases` command line. Every flag of `serve` can also be set through its environment variable. */
import { parseArgs } from 'node:util';
import { startServer } from './server.js';
import { DEFAULT_CONFIG } from './config.js';
import { DEFAULT_QUOTAS, type Quotas } from './context.js';
import { hashPassword } from './web/passwords.js';
import { EVENT_SERVE_OPTIONS, EVENT_SERVE_USAGE, EVENTS_USAGE, eventStreamOptions, eventsCommand } from './events/cli.js';
import { portabilityCommand } from './portability/cli.js';

const USAGE = `Usage: opencases serve [options]
       opencases events <dead | requeue | discard> [options]   (opencases events --help)
       opencases export | import | copy [options]               (opencases export --help)
       opencases hash-password   reads a password on stdin, prints the passwordHash of a workspace user

Options (environment variable in brackets):
  --port N                 port to listen on, default 4590 [PORT]
  --host HOST              address to bind, default 127.0.0.1 [OPENCASES_HOST]
  --data-dir DIR           SQLite data directory, default ./data; ':memory:' keeps nothing [OPENCASES_DATA_DIR]
  --database-url URL       store in PostgreSQL (postgres://user:password@host:port/db) instead of SQLite [DATABASE_URL]
  --region REGION          region used in ARNs and SigV4 scopes, default us-east-1 [OPENCASES_REGION]
  --credentials FILE       verify SigV4 against these credentials (strict mode) [OPENCASES_CREDENTIALS]
  --contacts FILE          JSON [{contactArn, channel, connectedToSystemTime}] served with Contact related items [OPENCASES_CONTACTS]
  --enforce-case-rules     enforce case rules on CreateCase/UpdateCase [OPENCASES_ENFORCE_CASE_RULES=1]
  --quota NAME=N           change a quota, repeatable, e.g. domainsPerAccount=20 [OPENCASES_QUOTAS=a=1,b=2]
  --log-level LEVEL        fatal, error, warn, info, debug, trace or silent; default info [OPENCASES_LOG_LEVEL]
${EVENT_SERVE_USAGE}  -h, --help               this text

${EVENTS_USAGE}`;

function fail(message: string): never {
  process.stderr.write(`opencases: ${message}\n`);
  process.exit(2);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseQuotas(specs: string[]): Partial<Quotas> {
  const out: Partial<Quotas> = {};
  for (const spec of specs) {
    const m = /^(\w+)=(\d+)$/.exec(spec.trim());
    if (!m || !(m[1] in DEFAULT_QUOTAS)) {
      fail(`invalid quota '${spec}': expected NAME=N with NAME one of ${Object.keys(DEFAULT_QUOTAS).join(', ')}`);
    }
    out[m[1] as keyof Quotas] = Number(m[2]);
  }
  return out;
}

async function serve(argv: string[]) {
  const env = process.env;
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      region: { type: 'string' },
      credentials: { type: 'string' },
      contacts: { type: 'string' },
      'enforce-case-rules': { type: 'boolean' },
      quota: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      ...EVENT_SERVE_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const portText = values.port ?? env.PORT ?? String(DEFAULT_CONFIG.port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) fail(`invalid --port '${portText}': expected a number from 0 to 65535`);
  const logLevel = values['log-level'] ?? env.OPENCASES_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) fail(`invalid --log-level '${logLevel}': expected one of ${LOG_LEVELS.join(', ')}`);
  const quotaSpecs = values.quota ?? (env.OPENCASES_QUOTAS ? env.OPENCASES_QUOTAS.split(',') : []);
  const server = await startServer({
    port,
    host: values.host ?? env.OPENCASES_HOST ?? DEFAULT_CONFIG.host,
    dataDir: values['data-dir'] ?? env.OPENCASES_DATA_DIR ?? DEFAULT_CONFIG.dataDir,
    databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined),
    region: values.region ?? env.OPENCASES_REGION ?? DEFAULT_CONFIG.region,
    credentialsFile: values.credentials ?? env.OPENCASES_CREDENTIALS,
    contactsFile: values.contacts ?? env.OPENCASES_CONTACTS,
    enforceCaseRules: values['enforce-case-rules'] ?? ['1', 'true'].includes(env.OPENCASES_ENFORCE_CASE_RULES ?? ''),
    quotas: parseQuotas(quotaSpecs),
    logLevel,
    events: eventStreamOptions(values, env),
  });
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The first line of stdin: piped in, or typed at a terminal without being shown. */
async function readPassword(): Promise<string> {
  process.stdin.setEncoding('utf8');
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) {
      text += chunk;
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0];
  }
  process.stderr.write('Password: ');
  process.stdin.setRawMode(true);
  let typed = '';
  try {
    for await (const chunk of process.stdin) {
      for (const ch of chunk as string) {
        if (ch === '\r' || ch === '\n') return typed;
        if (ch === '\u0003') fail('cancelled');
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    }
    return typed;
  } finally {
    process.stdin.setRawMode(false);
    process.stderr.write('\n');
  }
}

async function hashPasswordCommand(argv: string[]) {
  if (argv.length) fail(`hash-password takes no arguments (the password is read from stdin, so it stays out of the shell history)`);
  const password = await readPassword();
  if (password.length < 8) fail('the password must be at least 8 characters long');
  process.stdout.write(`${await hashPassword(password)}\n`);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'events':
      return eventsCommand(rest);
    case 'export':
    case 'import':
    case 'copy':
      return portabilityCommand(command, rest);
    case 'hash-password':
      return hashPasswordCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command '${command}'\n\n${USAGE}`);
  }
}

main().catch((e) => fail((e as Error).message));
