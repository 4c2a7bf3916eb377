import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { retryDelayMs } from './retry-delay.js';
import type { WebhookEvent } from './webhook-event.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { SIGNATURE_HEADER, signatureHeader, TIMESTAMP_HEADER } from './webhook-signature.js';

/** How a batch's delivery ended: accepted, given up (counted), or stopped by shutdown (to be resumed). */
export type DeliveryOutcome = 'delivered' | 'exhausted' | 'aborted';

/** Why one attempt failed, as the metrics label it. */
type AttemptFailure = 'status' | 'timeout' | 'network';

/**
 * Sends one batch of events to one URL until a 2xx answer, retrying with exponential backoff and jitter
 * until WEBHOOK_MAX_ATTEMPTS or until its oldest event is WEBHOOK_MAX_AGE_MS old. The body is the same on
 * every attempt (so are the event ids); the timestamp and signatures are made afresh for each.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger = new Logger('Webhooks');
  private readonly secrets: string[];

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly metrics: WebhookMetrics,
  ) {
    this.secrets = (config.WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  }

  /** Delivers `events` to `url`; `signal` stops the retries (shutdown), answering `aborted`. */
  async deliver(
    url: string,
    events: readonly WebhookEvent[],
    signal: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const body = JSON.stringify({ events });
    const oldest = Math.min(...events.map((event) => event.ts));
    const {
      WEBHOOK_MAX_ATTEMPTS,
      WEBHOOK_MAX_AGE_MS,
      WEBHOOK_RETRY_BASE_MS,
      WEBHOOK_RETRY_MAX_MS,
    } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return 'aborted';
      const failure = await this.attempt(url, body, signal);
      if (failure === undefined) {
        this.metrics.delivered.inc(events.length);
        return 'delivered';
      }
      if (signal.aborted) return 'aborted';
      this.metrics.failedAttempts.inc({ reason: failure });
      const delay = retryDelayMs(attempt, WEBHOOK_RETRY_BASE_MS, WEBHOOK_RETRY_MAX_MS);
      if (attempt >= WEBHOOK_MAX_ATTEMPTS || Date.now() + delay - oldest > WEBHOOK_MAX_AGE_MS) {
        this.metrics.exhausted.inc(events.length);
        // The URL's origin only: a path or query may carry a receiver's token.
        this.logger.warn(
          `webhook batch of ${events.length} events to ${new URL(url).origin} given up after ${attempt} attempts (last: ${failure})`,
        );
        return 'exhausted';
      }
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        return 'aborted';
      }
    }
  }

  /** One POST; undefined when the receiver answered 2xx, else why not. */
  private async attempt(
    url: string,
    body: string,
    signal: AbortSignal,
  ): Promise<AttemptFailure | undefined> {
    const timestamp = String(Date.now());
    const timeout = AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signatureHeader(this.secrets, timestamp, body),
        },
        body,
        // A redirect would re-send a signed body to wherever the receiver points: not followed, a failure.
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
      // Read (and discard) the answer so that the connection goes back to the pool.
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 300 ? undefined : 'status';
    } catch {
      return timeout.aborted ? 'timeout' : 'network';
    }
  }
}
