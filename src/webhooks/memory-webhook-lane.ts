import type { AppConfig } from '../config/app-config.js';
import type { WebhookDelivery } from './webhook-delivery.js';
import type { WebhookEvent } from './webhook-event.js';
import { WebhookLane } from './webhook-lane.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/**
 * A lane in this process (no Redis): one batch in flight at a time, retried at the head of the queue, so
 * events reach the URL in the order they happened; delayed events wait on timers.
 */
export class MemoryWebhookLane extends WebhookLane {
  private pending: WebhookEvent[] = [];
  private readonly later = new Map<string, NodeJS.Timeout>();
  private running = false;
  private readonly stop = new AbortController();

  constructor(
    private readonly url: string,
    private readonly config: AppConfig,
    private readonly delivery: WebhookDelivery,
    private readonly metrics: WebhookMetrics,
  ) {
    super();
  }

  async start(): Promise<void> {}

  get waiting(): number {
    return this.pending.length;
  }

  send(event: WebhookEvent): void {
    if (this.pending.length >= this.config.WEBHOOK_QUEUE_MAX_EVENTS) {
      this.metrics.dropped.inc();
      return;
    }
    this.metrics.queued.inc({ type: event.type });
    this.pending.push(event);
    if (!this.running && !this.stop.signal.aborted) {
      this.running = true;
      // Apart from the chat path: the first request goes out after the current turn.
      setImmediate(() => void this.run());
    }
  }

  sendLater(key: string, event: WebhookEvent, delayMs: number): void {
    if (delayMs === 0) return this.send(event);
    clearTimeout(this.later.get(key));
    const timer = setTimeout(() => {
      this.later.delete(key);
      this.send(event);
    }, delayMs);
    this.later.set(key, timer);
  }

  sendUnlessWithdrawn(key: string, event: WebhookEvent): void {
    const timer = this.later.get(key);
    if (timer === undefined) return this.send(event);
    clearTimeout(timer);
    this.later.delete(key);
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const timer of this.later.values()) clearTimeout(timer);
    this.later.clear();
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0 && !this.stop.signal.aborted) {
      const batch = this.pending.splice(0, this.config.WEBHOOK_BATCH_MAX_EVENTS);
      await this.delivery.deliver(this.url, batch, this.stop.signal);
    }
    this.running = false;
  }
}
