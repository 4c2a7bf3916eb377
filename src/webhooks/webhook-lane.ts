import type { WebhookEvent } from './webhook-event.js';

/**
 * The queue of one receiving URL: events go in, in order, on the chat path (bounded: past
 * WEBHOOK_QUEUE_MAX_EVENTS they are dropped and counted), and are delivered apart from it, in batches.
 */
export abstract class WebhookLane {
  /** Starts delivering (with Redis: this node's worker). */
  abstract start(): Promise<void>;
  /** Queues an event for delivery now. */
  abstract send(event: WebhookEvent): void;
  /** Queues an event for delivery after `delayMs`, unless `sendUnlessWithdrawn` with the same key comes first. */
  abstract sendLater(key: string, event: WebhookEvent, delayMs: number): void;
  /** Withdraws the event waiting under `key` if there is one, and sends nothing; else queues `event`. */
  abstract sendUnlessWithdrawn(key: string, event: WebhookEvent): void;
  /** Events waiting on this node. */
  abstract get waiting(): number;
  /** Stops delivering (shutdown); what is waiting in process is lost, what is in Redis stays. */
  abstract close(): Promise<void>;
}
