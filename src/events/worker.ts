/**
 * The delivery worker: moves outbox events to every configured sink, at least once and in order per case.
 *
 * Each sink has its own pump. One store transaction per round records the results of finished deliveries,
 * queues new outbox events for the sink and leases the next due ones (see Tx.claimDeliveries for the ordering
 * rule); the deliveries themselves run outside any transaction, at most `concurrency` at a time, each bounded
 * by `timeoutMs`, so a slow or dead receiver never holds the store or the API. A lease (claimed_until) outlives
 * the timeout a little: if the process dies, the leased events are delivered again after it expires.
 */
import type { Logger } from 'pino';
import type { EventDelivery, Store } from '../store/types.js';
import type { EventSink } from './sinks.js';
import { onOutboxWrite } from './outbox.js';

export interface DeliveryOptions {
  /** Attempts before an event is parked as dead. */
  maxAttempts: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Deliveries in flight per sink. */
  concurrency: number;
  /** First retry delay; doubles with every failed attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often an idle pump looks for work written by other processes or due for retry. */
  pollMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  maxAttempts: 10,
  timeoutMs: 10_000,
  concurrency: 8,
  retryBaseMs: 1_000,
  retryMaxMs: 5 * 60_000,
  pollMs: 1_000,
};

const PRUNE_EVERY_MS = 10_000;

/** Exponential backoff: the delay before attempt n+1 after n failed attempts. */
export const retryDelay = (o: DeliveryOptions, failedAttempts: number) =>
  Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));

type Outcome = { delivery: EventDelivery; error?: string; aborted?: boolean };

/** A wake-up that is not lost when it fires while nobody waits. */
class Signal {
  private pending = false;
  private waiter: (() => void) | undefined;

  notify() {
    this.pending = true;
    this.waiter?.();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.waiter = undefined;
        self.pending = false;
        resolve();
      }
      this.waiter = done;
    });
  }
}

class Pump {
  readonly signal = new Signal();
  cursor = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private outcomes: Outcome[] = [];

  constructor(
    readonly sink: EventSink,
    private readonly worker: DeliveryWorker,
  ) {}

  async run(): Promise<void> {
    const w = this.worker;
    while (!w.stopping) {
      try {
        await this.round();
      } catch (e) {
        w.logger.error({ err: e, sink: this.sink.id }, 'event delivery round failed');
      }
      if (w.stopping) break;
      await this.signal.wait(w.options.pollMs);
    }
    await Promise.allSettled([...this.inFlight]);
    // Release what shutdown interrupted, so that a restart does not wait for the leases to expire.
    if (this.outcomes.length) await this.record().catch(() => undefined);
  }

  private async round(): Promise<void> {
    const w = this.worker;
    const claimed = await this.record();
    for (const d of claimed) {
      const p = this.deliver(d).finally(() => {
        this.inFlight.delete(p);
        this.signal.notify();
      });
      this.inFlight.add(p);
    }
    if (claimed.length) w.logger.debug({ sink: this.sink.id, claimed: claimed.length }, 'delivering events');
  }

  /** One transaction: the outcomes so far, then (unless stopping) fan-out and new leases. */
  private async record(): Promise<EventDelivery[]> {
    const w = this.worker;
    const outcomes = this.outcomes;
    this.outcomes = [];
    const o = w.options;
    return w.store.write(async (tx) => {
      const now = Date.now();
      for (const { delivery: d, error, aborted } of outcomes) {
        if (error === undefined) {
          await tx.completeDelivery(this.sink.id, d.eventSeq);
        } else if (aborted) {
          await tx.failDelivery(this.sink.id, d.eventSeq, { attempts: d.attempts, nextAttemptAt: 0, dead: false, error });
        } else {
          const attempts = d.attempts + 1;
          const dead = attempts >= o.maxAttempts;
          await tx.failDelivery(this.sink.id, d.eventSeq, { attempts, nextAttemptAt: now + retryDelay(o, attempts), dead, error });
          if (dead) w.logger.error({ sink: this.sink.id, eventId: d.eventId, attempts, error }, 'event parked as dead');
          else w.logger.warn({ sink: this.sink.id, eventId: d.eventId, attempts, error }, 'event delivery failed; will retry');
        }
      }
      if (w.stopping) return [];
      this.cursor = await tx.fanOutEvents(this.sink.id);
      const free = o.concurrency - this.inFlight.size;
      if (free <= 0) return [];
      return tx.claimDeliveries(this.sink.id, now, now + o.timeoutMs + 1_000, free);
    });
  }

  private async deliver(d: EventDelivery): Promise<void> {
    const w = this.worker;
    try {
      await this.sink.deliver(d, AbortSignal.any([w.abort.signal, AbortSignal.timeout(w.options.timeoutMs)]));
      this.outcomes.push({ delivery: d });
    } catch (e) {
      const aborted = w.abort.signal.aborted;
      const err = e as Error;
      const error = err.name === 'TimeoutError' ? `timed out after ${w.options.timeoutMs} ms` : err.message || String(e);
      this.outcomes.push({ delivery: d, error: aborted ? 'interrupted by shutdown' : error, aborted });
    }
  }
}

export class DeliveryWorker {
  stopping = false;
  readonly abort = new AbortController();
  private readonly pumps: Pump[];
  private running: Promise<unknown> | undefined;
  private unsubscribe: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly store: Store,
    sinks: EventSink[],
    readonly options: DeliveryOptions,
    readonly logger: Logger,
  ) {
    this.pumps = sinks.map((s) => new Pump(s, this));
  }

  start(): void {
    this.unsubscribe = onOutboxWrite(() => this.pumps.forEach((p) => p.signal.notify()));
    this.running = Promise.all(this.pumps.map((p) => p.run()));
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    this.logger.info({ sinks: this.pumps.map((p) => p.sink.id) }, 'case event delivery started');
  }

  /** Events every sink has queued and no sink still needs are dropped from the outbox. */
  private async prune(): Promise<void> {
    const upto = Math.min(...this.pumps.map((p) => p.cursor));
    if (upto > 0) await this.store.write((tx) => tx.pruneOutbox(upto)).catch((e) => this.logger.error({ err: e }, 'outbox prune failed'));
  }

  /** Interrupts deliveries in flight (they stay queued), records what finished, and stops. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.pruneTimer);
    this.unsubscribe?.();
    this.abort.abort();
    for (const p of this.pumps) p.signal.notify();
    await this.running;
    for (const p of this.pumps) p.sink.close();
  }
}
