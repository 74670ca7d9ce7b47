/**
 * Delivery sinks of the case event stream. A sink sends one event and throws when the receiver did not take it;
 * retries, ordering and persistence are the worker's (worker.ts). Sink ids are derived from their target, so
 * delivery progress stored under an id survives restarts with the same configuration.
 */
import { createHmac } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventDelivery } from '../store/types.js';
import type { CaseEventEnvelope } from './build.js';

export interface EventSink {
  readonly id: string;
  /** Resolves once the receiver accepted the event; rejects otherwise. `signal` aborts on timeout or shutdown. */
  deliver(delivery: EventDelivery, signal: AbortSignal): Promise<void>;
  close(): void;
}

export const SIGNATURE_HEADER = 'x-opencases-signature';

/** `sha256=` + hex HMAC-SHA256 of the exact request body under the shared secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export class WebhookSink implements EventSink {
  readonly id: string;

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly userAgent: string,
  ) {
    this.id = `webhook:${url}`;
  }

  async deliver(d: EventDelivery, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.userAgent,
      'x-opencases-event-id': d.eventId,
      'x-opencases-delivery-attempt': String(d.attempts + 1),
    };
    if (this.secret) headers[SIGNATURE_HEADER] = signBody(this.secret, d.payload);
    // A redirect is not an acceptance: following it could re-send the event somewhere unintended.
    const res = await fetch(this.url, { method: 'POST', body: d.payload, headers, signal, redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status} from ${this.url}`);
  }

  close(): void {}
}

export interface EventBridgeSinkOptions {
  busName: string;
  /** Absent: the AWS endpoint of the region. */
  endpoint?: string;
  region: string;
  /** The PutEvents Source; real EventBridge reserves `aws.*` sources for AWS services. */
  source: string;
}

/** Sends each event with PutEvents (credentials from the standard AWS chain). */
export class EventBridgeSink implements EventSink {
  readonly id: string;
  private readonly client: EventBridgeClient;

  constructor(private readonly opts: EventBridgeSinkOptions) {
    this.id = `eventbridge:${opts.endpoint ?? opts.region}/${opts.busName}`;
    // The worker retries with backoff and keeps order; SDK retries would only hide failures from it.
    this.client = new EventBridgeClient({ region: opts.region, endpoint: opts.endpoint, maxAttempts: 1 });
  }

  async deliver(d: EventDelivery, signal: AbortSignal): Promise<void> {
    const event = JSON.parse(d.payload) as CaseEventEnvelope;
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.opts.busName,
            Source: this.opts.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Resources: event.resources,
            Time: new Date(event.time),
          },
        ],
      }),
      { abortSignal: signal },
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new Error(`PutEvents refused the event: ${entry?.ErrorCode ?? 'unknown error'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }

  close(): void {
    this.client.destroy();
  }
}
