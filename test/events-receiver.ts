/** A local HTTP receiver for event delivery tests: records webhook POSTs, can go down and come back on its port. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

export class Receiver {
  readonly received: Received[] = [];
  port = 0;
  /** Answer with this status instead of 200 (e.g. 503 to refuse). */
  status = 200;
  /** Take requests and never answer them (a receiver that hangs mid-delivery). */
  hang = false;
  /** Requests taken while hanging. */
  hung = 0;
  private server: Server | undefined;
  private waiters: (() => void)[] = [];

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (this.hang) {
          this.hung++;
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.status >= 200 && this.status < 300) {
          this.received.push({ headers: req.headers, body, json: JSON.parse(body) });
          this.waiters.forEach((w) => w());
        }
        res.writeHead(this.status, { 'content-type': 'application/json' }).end(req.headers['x-amz-target'] ? '{"FailedEntryCount":0,"Entries":[{"EventId":"e"}]}' : '{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Stops hanging: the requests held so far are cut off, later ones are answered. */
  release(): void {
    this.hang = false;
    this.server?.closeAllConnections();
  }

  /** Closes the port: connections are refused until start() again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
  }

  /** Resolves once `n` events have been received in all (fails after `ms`). */
  async waitFor(n: number, ms = 30_000): Promise<Received[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${this.received.length} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
      this.waiters = [];
    }
    return this.received;
  }
}

/** Fast retries so that tests see outages recover within seconds. */
export const FAST_DELIVERY = { retryBaseMs: 50, retryMaxMs: 300, pollMs: 50, timeoutMs: 2_000, maxAttempts: 1_000 };
