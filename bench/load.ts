/**
 * The load generator of bench/api.ts, run as a process of its own so that the server under test does not share
 * its event loop. bench/api.ts forks it once per phase and sends it a LoadJob; it answers with a LoadResult.
 *
 * Signing: every request of a phase is SigV4-signed before the timed part starts (a signature stays valid for
 * 15 minutes), so the generator's own work per request is one socket write and one read. Writes are signed
 * one per request, never replayed: a replayed CreateCase would hit its clientToken and a replayed UpdateCase
 * would change nothing, and both would then cost the server less than a real write. GetCase and SearchCases
 * requests are read-only and are cycled through.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';

export type Operation = 'CreateCase' | 'GetCase' | 'UpdateCase' | 'SearchCases';
export type Workload = Exclude<Operation, 'SearchCases'> | 'Mixed';

/** The mixed workload: share of each operation. */
export const MIX: [Operation, number][] = [
  ['GetCase', 0.6],
  ['UpdateCase', 0.25],
  ['CreateCase', 0.1],
  ['SearchCases', 0.05],
];

export interface Target {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  domainId: string;
  templateId: string;
  /** Custom field ids by name (bench/seed.ts's manifest). */
  fields: Record<string, string>;
  /** Existing cases that GetCase and UpdateCase address. */
  caseIds: string[];
}

export interface LoadJob {
  target: Target;
  workload: Workload;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** How many distinct requests to sign; writes beyond it end the phase early. */
  writePool: number;
  readPool: number;
  seed: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Every measured latency in ms, for merging the rounds of a workload. */
  latencies: number[];
  /** Non-2xx answers by operation and status, with one example body each. */
  errors: Record<string, { count: number; example: string }>;
  /** Requests per operation within the measured part. */
  byOperation: Partial<Record<Operation, number>>;
  /** True when the signed writes ran out before the time was up. */
  exhausted: boolean;
  signMs: number;
}

export interface SignedRequest {
  operation: Operation;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** mulberry32: small, fast, reproducible. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request bodies as the AWS SDK sends them: CreateCase and GetCase with 10 fields, UpdateCase with 3. */
export function requestBodies(t: Target, rand: () => number) {
  const f = t.fields;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const caseId = () => pick(t.caseIds);
  let n = 0;
  return {
    CreateCase: () => {
      n++;
      return {
        path: `/domains/${t.domainId}/cases`,
        method: 'POST',
        body: {
          // A random UUID, as the SDKs fill in: sequential tokens would all land on one page of the idempotency
          // index, which on PostgreSQL makes concurrent CreateCase transactions conflict (docs/postgres.md).
          clientToken: randomUUID(),
          templateId: t.templateId,
          fields: [
            { id: 'title', value: { stringValue: `printer not working in Lisbon #${n}` } },
            { id: 'status', value: { stringValue: 'open' } },
            { id: 'summary', value: { stringValue: 'customer called again about the issue reported yesterday after the update' } },
            { id: f.product, value: { stringValue: 'printer-model-7' } },
            { id: f.description, value: { stringValue: 'the device stopped printing after the last firmware update' } },
            { id: f.city, value: { stringValue: 'Lisbon' } },
            { id: f.order_ref, value: { stringValue: `ORD-${Math.floor(rand() * 1e9)}` } },
            { id: f.amount, value: { doubleValue: Math.round(rand() * 100000) / 100 } },
            { id: f.severity, value: { stringValue: pick(['low', 'medium', 'high', 'critical']) } },
            { id: f.vip, value: { booleanValue: rand() < 0.1 } },
          ],
        },
      };
    },
    GetCase: () => ({
      path: `/domains/${t.domainId}/cases/${caseId()}`,
      method: 'POST',
      body: {
        fields: ['title', 'status', 'summary', 'created_datetime', f.product, f.description, f.city, f.amount, f.severity, f.owner].map((id) => ({ id })),
      },
    }),
    UpdateCase: () => {
      n++;
      return {
        path: `/domains/${t.domainId}/cases/${caseId()}`,
        method: 'PUT',
        body: {
          fields: [
            { id: f.notes, value: { stringValue: `follow-up ${n}-${Math.floor(rand() * 1e9)}: customer confirmed the replacement was sent` } },
            { id: f.score, value: { doubleValue: n % 101 } },
            { id: f.severity, value: { stringValue: ['low', 'medium', 'high', 'critical'][n % 4] } },
          ],
        },
      };
    },
    SearchCases: () => ({
      path: `/domains/${t.domainId}/cases-search`,
      method: 'POST',
      body: {
        maxResults: 25,
        filter: { field: { equalTo: { id: f.severity, value: { stringValue: pick(['low', 'medium', 'high', 'critical']) } } } },
        sorts: [{ fieldId: 'created_datetime', sortOrder: 'Desc' }],
        fields: [{ id: 'title' }, { id: 'status' }, { id: f.severity }],
      },
    }),
  } satisfies Record<Operation, () => { path: string; method: string; body: unknown }>;
}

export function signer(t: Target) {
  const sigv4 = new SignatureV4({
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    region: t.region,
    service: 'cases',
    sha256: Hash.bind(null, 'sha256'),
  });
  const url = new URL(t.endpoint);
  return async (operation: Operation, r: { path: string; method: string; body: unknown }): Promise<SignedRequest> => {
    const body = JSON.stringify(r.body);
    const signed = await sigv4.sign(
      new HttpRequest({
        method: r.method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: r.path,
        headers: { host: url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      }),
    );
    return { operation, method: r.method, path: r.path, headers: signed.headers as Record<string, string>, body };
  };
}

/** Sends one request and resolves with its status and body. */
export function send(endpoint: URL, agent: Agent | undefined, r: SignedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: endpoint.hostname, port: endpoint.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** The operation sequence of a phase: one operation, or the mix drawn at random in its proportions. */
function operationAt(workload: Workload, rand: () => number): Operation {
  if (workload !== 'Mixed') return workload;
  let x = rand();
  for (const [op, share] of MIX) {
    if ((x -= share) < 0) return op;
  }
  return MIX[0][0];
}

async function signPool(job: LoadJob): Promise<{ writes: SignedRequest[]; reads: SignedRequest[]; order: boolean[] }> {
  const rand = prng(job.seed);
  const bodies = requestBodies(job.target, rand);
  const sign = signer(job.target);
  const isWrite = (op: Operation) => op === 'CreateCase' || op === 'UpdateCase';
  const writes: SignedRequest[] = [];
  const reads: SignedRequest[] = [];
  if (job.workload !== 'Mixed') {
    const op = job.workload;
    const list = isWrite(op) ? writes : reads;
    for (let i = 0; i < (isWrite(op) ? job.writePool : job.readPool); i++) list.push(await sign(op, bodies[op]()));
    return { writes, reads, order: [isWrite(op)] };
  }
  // `order` says for each request of the phase whether it is a write; the reads cycle through their own pool.
  const order: boolean[] = [];
  while (writes.length < job.writePool) {
    const op = operationAt(job.workload, rand);
    order.push(isWrite(op));
    if (isWrite(op)) writes.push(await sign(op, bodies[op]()));
    else if (reads.length < job.readPool) reads.push(await sign(op, bodies[op]()));
  }
  return { writes, reads, order };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `mark` is told when the measured part starts and ends, so that bench/api.ts can read the server's CPU time
 * over exactly the requests it counts.
 */
export async function runLoad(job: LoadJob, progress: (text: string) => void, mark?: (at: 'start' | 'end') => void): Promise<LoadResult> {
  const signStarted = performance.now();
  const pool = await signPool(job);
  const signMs = performance.now() - signStarted;
  const endpoint = new URL(job.target.endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  const errors: LoadResult['errors'] = {};
  const byOperation: LoadResult['byOperation'] = {};
  let next = 0;
  let writeNext = 0;
  let readNext = 0;
  let exhausted = false;
  const started = performance.now();
  const measureFrom = started + job.warmupSeconds * 1000;
  const end = measureFrom + job.seconds * 1000;
  let measuredEnd = end;

  const take = (): SignedRequest | undefined => {
    const isWrite = pool.order[next++ % pool.order.length];
    if (isWrite) {
      if (writeNext >= pool.writes.length) return undefined;
      return pool.writes[writeNext++];
    }
    return pool.reads[readNext++ % pool.reads.length];
  };

  const startMark = setTimeout(() => mark?.('start'), measureFrom - performance.now());
  const ticker = setInterval(() => {
    const now = performance.now();
    const phase = now < measureFrom ? 'warm-up' : `${((now - measureFrom) / 1000).toFixed(0)}/${job.seconds}s`;
    const rate = now > measureFrom ? Math.round(latencies.length / ((now - measureFrom) / 1000)) : 0;
    progress(`${phase} ${latencies.length} requests ${rate}/s`);
  }, 2000);

  async function worker() {
    for (;;) {
      const now = performance.now();
      if (now >= end) return;
      const r = take();
      if (!r) {
        exhausted = true;
        measuredEnd = Math.min(measuredEnd, now);
        return;
      }
      const t0 = performance.now();
      const { status, body } = await send(endpoint, agent, r);
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      latencies.push(t1 - t0);
      byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
      if (status < 200 || status > 299) {
        const key = `${r.operation} ${status}`;
        errors[key] ??= { count: 0, example: body.slice(0, 300) };
        errors[key].count++;
      }
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  mark?.('end');
  clearTimeout(startMark);
  clearInterval(ticker);
  agent.destroy();
  const seconds = (Math.min(measuredEnd, performance.now()) - measureFrom) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    latencies,
    errors,
    byOperation,
    exhausted,
    signMs,
  };
}

// Forked by bench/api.ts: one job in, progress and one result out.
if (process.send) {
  process.once('message', (job: LoadJob) => {
    runLoad(
      job,
      (text) => process.send!({ progress: text }),
      (at) => process.send!({ mark: at }),
    )
      .then((result) => process.send!({ result }, () => process.exit(0)))
      .catch((e) => {
        process.send!({ error: String((e as Error).stack ?? e) }, () => process.exit(1));
      });
  });
}
