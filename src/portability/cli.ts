/** `opencases export | import | copy`: move a whole domain between Connect Cases endpoints and files. */
import { parseArgs } from 'node:util';
import { ConnectCasesClient } from '@aws-sdk/client-connectcases';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PgStore } from '../store/postgres/pg-store.js';
import type { Store } from '../store/types.js';
import { exportChunks, exportRecords } from './export.js';
import { exportToFile } from './checkpoint.js';
import { checkedRecords, readFileRecords, toLine, type Counts, type NumberedRecord } from './format.js';
import { importDirect, type ImportSummary } from './import-direct.js';
import { importViaApi } from './import-api.js';

export const PORTABILITY_USAGE = `Usage: opencases export --domain ID [--endpoint URL] [--out FILE] [options]
       opencases import --in FILE (--endpoint URL | --data-dir DIR | --database-url URL) [options]
       opencases copy --from URL --to URL --domain ID [options]

export   reads a domain through the public API (any Connect Cases endpoint; without --endpoint the AWS service of
         the region) and writes it as NDJSON to FILE or stdout. With --out, an interrupted export continues
         from FILE.checkpoint when run again.
import   writes an export into opencases: through the API (new ids; old -> new ids in the --map file; re-running
         continues), or straight into a data dir / PostgreSQL database (ids, times, reference numbers and audit
         history kept exactly; one transaction; re-running skips what exists).
copy     export piped into an API import, without a file.

Options:
  --endpoint URL, --from URL, --to URL   Connect Cases endpoints (opencases or AWS)
  --region REGION        AWS region for signing and, with --data-dir/--database-url, for ARNs [AWS_REGION; us-east-1]
  --out FILE             export: write here (default stdout, no checkpoint)
  --in FILE              import: the export file
  --data-dir DIR         import: the opencases SQLite data directory
  --database-url URL     import: the opencases PostgreSQL database
  --account-id ID        direct import: owner account (default: the account of the exported domain ARN)
  --map FILE             API import/copy: id map, default FILE.map.ndjson (copy: copy-DOMAIN.map.ndjson)
  --domain-name NAME     API import/copy: name of the new domain (default the exported name)
  --concurrency N        cases read or written at once, default 8
  --page-size N          export: SearchCases page size and checkpoint interval, 1-100, default 100
  --max-attempts N       attempts per request; throttling and transient errors are retried with
                         backoff and client-side rate limiting (SDK retryMode adaptive), default 10
  --quiet                no progress lines on stderr
`;

const OPTIONS = {
  domain: { type: 'string' },
  endpoint: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  region: { type: 'string' },
  out: { type: 'string' },
  in: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'account-id': { type: 'string' },
  map: { type: 'string' },
  'domain-name': { type: 'string' },
  concurrency: { type: 'string' },
  'page-size': { type: 'string' },
  'max-attempts': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function int(name: string, text: string | undefined, fallback: number, max = Infinity): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new Error(`invalid --${name} '${text}': expected a whole number from 1${max < Infinity ? ` to ${max}` : ''}`);
  return n;
}

function need<T>(value: T | undefined, flag: string, command: string): T {
  if (value === undefined) throw new Error(`${command} needs --${flag}\n\n${PORTABILITY_USAGE}`);
  return value;
}

/** A client with the user's normal credential chain; throttling is retried by the SDK's adaptive retry strategy. */
function client(endpoint: string | undefined, region: string | undefined, maxAttempts: number): ConnectCasesClient {
  return new ConnectCasesClient({
    endpoint,
    region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
    maxAttempts,
    retryMode: 'adaptive',
  });
}

/** A periodic progress line on stderr: records, cases and the rate. */
class Progress {
  private readonly started = Date.now();
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly quiet: boolean,
  ) {}

  update(cases: number, records: number, force = false) {
    if (this.quiet) return;
    const now = Date.now();
    if (!force && now - this.last < 2000) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(cases / seconds) : 0;
    process.stderr.write(`${this.label}: ${cases} cases, ${records} records, ${rate} cases/s, ${seconds.toFixed(0)} s\n`);
  }
}

/** Passes records through, counting them for the progress line. */
async function* counted(records: AsyncIterable<NumberedRecord>, progress: Progress): AsyncGenerator<NumberedRecord> {
  let cases = 0;
  let n = 0;
  for await (const r of records) {
    n++;
    if (r.record.type === 'case') cases++;
    progress.update(cases, n);
    yield r;
  }
  progress.update(cases, n, true);
}

const total = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);

const describe = (c: Counts) => Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';

function report(s: ImportSummary) {
  process.stderr.write(`imported domain ${s.domainId}: created ${describe(s.created)}; already there ${describe(s.skipped)}`);
  process.stderr.write(Object.values(s.notImported).some((n) => n > 0) ? `; not importable through the API: ${describe(s.notImported)}\n` : '\n');
}

async function runExport(v: Values) {
  const domainId = need(v.domain, 'domain', 'export');
  const c = client(v.endpoint, v.region, int('max-attempts', v['max-attempts'], 10));
  const opts = {
    domainId,
    concurrency: int('concurrency', v.concurrency, 8),
    pageSize: int('page-size', v['page-size'], 100, 100),
    onWarning: (message: string) => process.stderr.write(`export: warning: ${message}\n`),
  };
  const progress = new Progress('export', !!v.quiet);
  try {
    if (v.out) {
      const result = await exportToFile(c, {
        ...opts,
        file: v.out,
        onChunk: (state) => progress.update(state.counts.cases, total(state.counts)),
      });
      if (result.resumedAfterCases) process.stderr.write(`export: resumed after ${result.resumedAfterCases} cases from ${v.out}.checkpoint\n`);
      process.stderr.write(`exported ${describe(result.counts)} to ${v.out}\n`);
      return;
    }
    // A reader that stops early (`| head`) closes the pipe: the export ends there, as other Unix tools do, rather
    // than with an unhandled EPIPE and a stack trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(0);
    });
    for await (const chunk of exportChunks(c, opts)) {
      const text = chunk.records.map(toLine).join('');
      if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      progress.update(chunk.state.counts.cases, total(chunk.state.counts));
    }
  } finally {
    c.destroy();
  }
}

async function openStore(v: Values): Promise<Store> {
  if (v['database-url']) return PgStore.open({ url: v['database-url'] });
  return new SqliteStore({ dataDir: v['data-dir']! });
}

async function runImport(v: Values) {
  const file = need(v.in, 'in', 'import');
  const targets = [v.endpoint, v['data-dir'], v['database-url']].filter((t) => t !== undefined);
  if (targets.length !== 1) throw new Error(`import needs exactly one of --endpoint, --data-dir and --database-url\n\n${PORTABILITY_USAGE}`);
  // A bad line fails the import before it touches the target.
  for await (const _ of readFileRecords(file));
  const progress = new Progress('import', !!v.quiet);
  if (v.endpoint) {
    const c = client(v.endpoint, v.region, int('max-attempts', v['max-attempts'], 10));
    try {
      report(
        await importViaApi(c, counted(readFileRecords(file), progress), {
          mapFile: v.map ?? `${file}.map.ndjson`,
          domainName: v['domain-name'],
          concurrency: int('concurrency', v.concurrency, 8),
        }),
      );
    } finally {
      c.destroy();
    }
    return;
  }
  const store = await openStore(v);
  try {
    const region = v.region ?? process.env.OPENCASES_REGION ?? 'us-east-1';
    report(await importDirect(store, () => counted(readFileRecords(file), progress), { region, accountId: v['account-id'] }));
  } finally {
    await store.close();
  }
}

async function runCopy(v: Values) {
  const domainId = need(v.domain, 'domain', 'copy');
  const attempts = int('max-attempts', v['max-attempts'], 10);
  const from = client(need(v.from, 'from', 'copy'), v.region, attempts);
  const to = client(need(v.to, 'to', 'copy'), v.region, attempts);
  const concurrency = int('concurrency', v.concurrency, 8);
  const progress = new Progress('copy', !!v.quiet);
  try {
    const onWarning = (message: string) => process.stderr.write(`copy: warning: ${message}\n`);
    const records = checkedRecords(exportRecords(from, { domainId, concurrency, pageSize: int('page-size', v['page-size'], 100, 100), onWarning }));
    report(await importViaApi(to, counted(records, progress), { mapFile: v.map ?? `copy-${domainId}.map.ndjson`, domainName: v['domain-name'], concurrency }));
  } finally {
    from.destroy();
    to.destroy();
  }
}

type Values = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, strict: true });

export async function portabilityCommand(command: 'export' | 'import' | 'copy', argv: string[]): Promise<void> {
  const { values } = parse(argv);
  if (values.help) {
    process.stdout.write(PORTABILITY_USAGE);
    return;
  }
  if (command === 'export') return runExport(values);
  if (command === 'import') return runImport(values);
  return runCopy(values);
}
