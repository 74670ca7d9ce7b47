/** Configuration of the case event stream's delivery, and the worker that the server starts from it. */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import { EventBridgeSink, WebhookSink, type EventSink } from './sinks.js';
import { DEFAULT_DELIVERY, DeliveryWorker, type DeliveryOptions } from './worker.js';
import { EVENT_SOURCE } from './build.js';

export interface EventStreamOptions {
  /** Each receives every event as a JSON POST. */
  webhookUrls?: string[];
  /** Signs webhook bodies (x-opencases-signature: sha256=HMAC-SHA256 hex). */
  webhookSecret?: string;
  /** Sends events with PutEvents to this bus. */
  eventBridgeBus?: string;
  /** Absent: the AWS endpoint of eventBridgeRegion. */
  eventBridgeEndpoint?: string;
  /** Default: the server's region. */
  eventBridgeRegion?: string;
  /** PutEvents Source, default `aws.cases` (real EventBridge refuses `aws.*` from callers: set your own there). */
  eventBridgeSource?: string;
  delivery?: Partial<DeliveryOptions>;
}

export function createSinks(o: EventStreamOptions, region: string, userAgent: string): EventSink[] {
  const sinks: EventSink[] = [...new Set(o.webhookUrls ?? [])].map((url) => {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`invalid webhook URL '${url}': expected an http(s) URL`);
    return new WebhookSink(url, o.webhookSecret, userAgent);
  });
  if (o.eventBridgeEndpoint && !o.eventBridgeBus) throw new Error('an EventBridge endpoint needs a bus name (--eventbridge-bus)');
  if (o.eventBridgeBus) {
    sinks.push(
      new EventBridgeSink({
        busName: o.eventBridgeBus,
        endpoint: o.eventBridgeEndpoint,
        region: o.eventBridgeRegion ?? region,
        source: o.eventBridgeSource ?? EVENT_SOURCE,
      }),
    );
  }
  return sinks;
}

export function deliveryOptions(o: EventStreamOptions): DeliveryOptions {
  const d = { ...DEFAULT_DELIVERY, ...Object.fromEntries(Object.entries(o.delivery ?? {}).filter(([, v]) => v !== undefined)) };
  for (const [k, v] of Object.entries(d)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`invalid event delivery option ${k}=${v}: expected a positive integer`);
  }
  return d;
}

/** The delivery worker, not yet started; undefined without sinks (events then wait in the outbox until there are). */
export function createEventDelivery(store: Store, o: EventStreamOptions, region: string, userAgent: string, logger: Logger): DeliveryWorker | undefined {
  const sinks = createSinks(o, region, userAgent);
  return sinks.length ? new DeliveryWorker(store, sinks, deliveryOptions(o), logger) : undefined;
}
