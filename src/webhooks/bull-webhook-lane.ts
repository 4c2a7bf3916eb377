import { Logger } from '@nestjs/common';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { AppConfig } from '../config/app-config.js';
import { logFailure } from '../engine/backend-unreachable.js';
import { reconnectDelay } from '../engine/reconnect-delay.js';
import type { WebhookDelivery } from './webhook-delivery.js';
import type { WebhookBody, WebhookEvent } from './webhook-event.js';
import { WebhookLane } from './webhook-lane.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** A step of the lane's local buffer, applied to the queue in the order the chat path made them. */
type Step =
  | { kind: 'send'; event: WebhookEvent }
  | { kind: 'later'; key: string; event: WebhookEvent; delayMs: number }
  | { kind: 'unless'; key: string; event: WebhookEvent };

/** A short stable hash: queue names and job ids may not hold `:`, and a URL or a room name may. */
function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * A lane in Redis (BullMQ): the chat path fills a bounded local buffer, which is moved into the URL's queue
 * in batches; every node runs a worker, and the queue's global concurrency of 1 lets one job be delivered
 * at a time across the cluster, so batches reach the URL in the order they were queued and each exactly
 * once per cluster. A delivery retries inside its job (keeping the order); the worker renews the job's lock
 * meanwhile, so if its node dies the lock lapses after WEBHOOK_LOCK_MS and another node's worker takes
 * the job over, same events, same ids. Debounced events are delayed jobs with an id made from their key,
 * which a node withdraws by removing the job.
 */
export class BullWebhookLane extends WebhookLane {
  private readonly logger = new Logger('Webhooks');
  private steps: Step[] = [];
  private pumping: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly queueClient: ReturnType<typeof createClient>;
  private readonly workerClient: ReturnType<typeof createClient>;
  private readonly queue: Queue<WebhookBody>;
  private worker: Worker<WebhookBody> | undefined;

  constructor(
    private readonly url: string,
    private readonly config: AppConfig,
    private readonly delivery: WebhookDelivery,
    private readonly metrics: WebhookMetrics,
  ) {
    super();
    this.queueClient = this.client('queue');
    this.workerClient = this.client('worker');
    this.queue = new Queue<WebhookBody>(`webhooks-${hash(url)}`, {
      connection: this.queueClient,
      prefix: `${config.REDIS_KEY_PREFIX}bull`,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', (error) => logFailure(this.logger, 'warn', 'webhook queue', error));
  }

  /** Sets the queue's cluster-wide concurrency and starts this node's worker. */
  async start(): Promise<void> {
    await this.queue.setGlobalConcurrency(1);
    this.worker = new Worker<WebhookBody>(
      this.queue.name,
      (job, token) => this.process(job, token),
      {
        connection: this.workerClient,
        prefix: `${this.config.REDIS_KEY_PREFIX}bull`,
        concurrency: 1,
        lockDuration: this.config.WEBHOOK_LOCK_MS,
        stalledInterval: this.config.WEBHOOK_LOCK_MS,
        // A job whose node died twice while delivering it is given up (counted by no one: logged).
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (error) => logFailure(this.logger, 'warn', 'webhook worker', error));
  }

  get waiting(): number {
    return this.steps.length;
  }

  send(event: WebhookEvent): void {
    this.push({ kind: 'send', event });
  }

  sendLater(key: string, event: WebhookEvent, delayMs: number): void {
    this.push(delayMs === 0 ? { kind: 'send', event } : { kind: 'later', key, event, delayMs });
  }

  sendUnlessWithdrawn(key: string, event: WebhookEvent): void {
    this.push({ kind: 'unless', key, event });
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.pumping;
    await this.worker?.close();
    await this.queue.close();
    for (const client of [this.queueClient, this.workerClient]) {
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    }
  }

  private client(role: string): ReturnType<typeof createClient> {
    const client = createClient({
      url: this.config.REDIS_URL,
      socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 },
    });
    client.on('error', (error: unknown) =>
      logFailure(this.logger, 'warn', `webhook ${role} connection`, error),
    );
    return client;
  }

  private push(step: Step): void {
    if (this.steps.length >= this.config.WEBHOOK_QUEUE_MAX_EVENTS || this.stop.signal.aborted) {
      this.metrics.dropped.inc();
      return;
    }
    this.metrics.queued.inc({ type: step.event.type });
    this.steps.push(step);
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /** Moves the local buffer into Redis, in order, a turn's sends as one `addBulk`. */
  private async pump(): Promise<void> {
    // Apart from the chat path: what the current turn queues goes together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.steps.length > 0) {
      const steps = this.steps;
      this.steps = [];
      const sends: WebhookEvent[] = [];
      try {
        for (const step of steps) {
          // A delayed job is due after anything sent now: only the sends need to keep their order.
          if (step.kind === 'send') sends.push(step.event);
          else if (step.kind === 'later') {
            await this.queue.add(
              'events',
              { events: [step.event] },
              { jobId: `later-${hash(step.key)}`, delay: step.delayMs },
            );
          } else if (!(await this.withdraw(`later-${hash(step.key)}`))) {
            sends.push(step.event);
          }
        }
        await this.add(sends);
      } catch (error) {
        // Redis unreachable: this turn's events are lost, counted.
        this.metrics.dropped.inc(steps.length);
        logFailure(this.logger, 'warn', 'webhook events not queued', error);
      }
    }
  }

  /** Removes a delayed job; false when there was none still delayed (`remove` answers 1 for a missing job too). */
  private async withdraw(jobId: string): Promise<boolean> {
    if ((await this.queue.getJobState(jobId)) !== 'delayed') return false;
    // 0 when a worker took it meanwhile (its window ended): then it is sent, and so is what follows.
    return (await this.queue.remove(jobId)) === 1;
  }

  /** Adds events as jobs of at most WEBHOOK_BATCH_MAX_EVENTS; past WEBHOOK_QUEUE_MAX_EVENTS waiting jobs, drops them. */
  private async add(events: WebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    const size = this.config.WEBHOOK_BATCH_MAX_EVENTS;
    const room = this.config.WEBHOOK_QUEUE_MAX_EVENTS - (await this.queue.count());
    const batches: WebhookEvent[][] = [];
    for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
    const kept = batches.slice(0, Math.max(0, room));
    const dropped = events.length - kept.reduce((sum, batch) => sum + batch.length, 0);
    if (dropped > 0) this.metrics.dropped.inc(dropped);
    if (kept.length > 0)
      await this.queue.addBulk(kept.map((batch) => ({ name: 'events', data: { events: batch } })));
  }

  private async process(job: Job<WebhookBody>, token: string | undefined): Promise<void> {
    const outcome = await this.delivery.deliver(this.url, job.data.events, this.stop.signal);
    if (outcome === 'aborted') {
      // This node is shutting down: the job goes back, due now, for another node (or this one, restarted).
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
  }
}
