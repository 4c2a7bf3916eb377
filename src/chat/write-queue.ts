import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChatErrorCode } from '../common/chat-error-code.js';
import { ChatException } from '../common/chat.exception.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { Broker, type Delivery } from '../engine/broker.js';
import { MessageStore, type PendingSend, type StoredSend } from '../engine/message-store.js';
import { ChatMetrics } from '../observability/chat-metrics.js';

interface QueuedSend {
  send: PendingSend;
  /** The sending connection, which the fan-out skips. */
  origin: string;
  resolve: (stored: StoredSend) => void;
  reject: (error: unknown) => void;
}

/**
 * The write path between handlers and fan-out: everything enqueued in one event-loop turn goes to the
 * store and the broker as one batch, batches strictly in order; a send resolves only once stored.
 */
@Injectable()
export class WriteQueue {
  private readonly logger = new Logger(WriteQueue.name);
  private pending: QueuedSend[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  private depth = 0;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly store: MessageStore,
    private readonly broker: Broker,
    private readonly metrics: ChatMetrics,
  ) {}

  /** Queues a send; resolves with the stored message, rejects with `unavailable` when it could not be stored. */
  enqueue(send: PendingSend, origin: string): Promise<StoredSend> {
    if (this.depth >= this.config.MAX_QUEUE_DEPTH) {
      return Promise.reject(
        new ChatException(
          ChatErrorCode.Unavailable,
          'server busy, retry with the same clientMsgId',
        ),
      );
    }
    this.depth += 1;
    this.metrics.queueDepth.set(this.depth);
    return new Promise((resolve, reject) => {
      this.pending.push({ send, origin, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /** Resolves once everything queued so far has been stored and published (graceful shutdown). */
  async flush(): Promise<void> {
    if (this.scheduled) this.drain();
    await this.tail;
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.tail = this.tail.then(() => this.write(batch));
  }

  private async write(batch: QueuedSend[]): Promise<void> {
    let stored: StoredSend[];
    try {
      stored = await this.store.append(batch.map((queued) => queued.send));
    } catch (error) {
      this.logger.warn(`store refused a batch of ${batch.length}: ${(error as Error).message}`);
      this.settle(batch.length);
      const unavailable = new ChatException(
        ChatErrorCode.Unavailable,
        'message not stored, retry with the same clientMsgId',
      );
      for (const queued of batch) queued.reject(unavailable);
      return;
    }
    const deliveries: Delivery[] = [];
    stored.forEach((result, i) => {
      if (!result.duplicate) deliveries.push(toDelivery(result, batch[i].origin));
    });
    try {
      if (deliveries.length > 0) await this.broker.publish(deliveries);
    } catch (error) {
      // Stored is what the ack promises; a node that missed the publish backfills from history.
      this.logger.warn(
        `broker refused a batch of ${deliveries.length}: ${(error as Error).message}`,
      );
    }
    this.settle(batch.length);
    stored.forEach((result, i) => batch[i].resolve(result));
  }

  private settle(count: number): void {
    this.depth -= count;
    this.metrics.queueDepth.set(this.depth);
  }
}

function toDelivery(result: StoredSend, origin: string): Delivery {
  return result.kind === 'room'
    ? {
        target: 'room',
        room: result.message.room,
        event: 'message',
        data: result.message,
        id: result.message.id,
        exclude: origin,
      }
    : {
        target: 'user',
        userIds: [result.message.to, result.message.from.id],
        event: 'dm',
        data: result.message,
        exclude: origin,
      };
}
