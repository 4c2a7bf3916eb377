import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { ScrapedGauge } from '../observability/scraped-gauge.js';

/** The webhook counters, on the app's registry (`/metrics`). */
@Injectable()
export class WebhookMetrics {
  readonly queued: Counter;
  readonly dropped: Counter;
  readonly delivered: Counter;
  readonly exhausted: Counter;
  readonly failedAttempts: Counter;
  /** Read from the in-process queues when scraped. */
  readonly waiting: ScrapedGauge;

  constructor(metrics: ChatMetrics) {
    const registers = [metrics.registry];
    this.queued = new Counter({
      name: 'switchboard_webhook_events_total',
      help: 'Webhook events queued for delivery, per URL, by type',
      labelNames: ['type'],
      registers,
    });
    this.dropped = new Counter({
      name: 'switchboard_webhook_events_dropped_total',
      help: 'Webhook events dropped before any attempt because the queue was full (WEBHOOK_QUEUE_MAX_EVENTS)',
      registers,
    });
    this.delivered = new Counter({
      name: 'switchboard_webhook_events_delivered_total',
      help: 'Webhook events a receiver accepted (2xx)',
      registers,
    });
    this.exhausted = new Counter({
      name: 'switchboard_webhook_events_exhausted_total',
      help: 'Webhook events given up after WEBHOOK_MAX_ATTEMPTS attempts or WEBHOOK_MAX_AGE_MS',
      registers,
    });
    this.failedAttempts = new Counter({
      name: 'switchboard_webhook_attempts_failed_total',
      help: 'Webhook requests that failed, by reason (status: a non-2xx answer, timeout, network)',
      labelNames: ['reason'],
      registers,
    });
    this.waiting = new ScrapedGauge({
      name: 'switchboard_webhook_queue_events',
      help: 'Webhook events waiting in this node (the in-process queues and the batches not yet in Redis)',
      registry: metrics.registry,
    });
  }
}
