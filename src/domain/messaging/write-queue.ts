import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ChatException } from '../chat.exception.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { logFailure } from '../../engine/backend-unreachable.js';
import {
  MessageStore,
  type PendingChange,
  type PendingSend,
  type PendingWrite,
  type StoredChange,
  type StoredSend,
  type StoredWrite,
} from '../../engine/message-store.js';
import { isSendRefusal, type SendRefusal } from '../../engine/send-refusal.js';
import { ChatMetrics } from '../../observability/chat-metrics.js';
import { runThenFlush } from '../turn-flush.js';

interface QueuedSend {
  send: PendingWrite;
  resolve: (stored: StoredWrite) => void;
  reject: (error: unknown) => void;
}

/**
 * The write path between handlers and fan-out: everything enqueued in one event-loop turn goes to the
 * store (which stores and publishes) as one batch, batches strictly in order; a send resolves only once stored.
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
    metrics: ChatMetrics,
  ) {
    metrics.queueDepth.readFrom(() => this.depth);
  }

  /** Queues a send; resolves with the stored message, rejects with `unavailable` when it could not be stored. */
  enqueue(send: PendingSend): Promise<StoredSend>;
  /** Queues an edit or deletion; resolves once committed, rejects with the store's refusal or `unavailable`. */
  enqueue(change: PendingChange): Promise<StoredChange>;
  enqueue(send: PendingWrite): Promise<StoredWrite> {
    if (this.depth >= this.config.MAX_QUEUE_DEPTH) {
      return Promise.reject(
        new ChatException(
          ChatErrorCode.Unavailable,
          'server busy, retry with the same clientMsgId',
        ),
      );
    }
    this.depth += 1;
    return new Promise((resolve, reject) => {
      this.pending.push({ send, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Acks and fan-out of the batch then leave in the same check phase as the batch itself.
        runThenFlush(() => this.drain());
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
    let stored: (StoredWrite | SendRefusal)[];
    try {
      stored = await this.store.append(batch.map((queued) => queued.send));
    } catch (error) {
      logFailure(this.logger, 'warn', `store refused a batch of ${batch.length}`, error);
      this.depth -= batch.length;
      const unavailable = new ChatException(
        ChatErrorCode.Unavailable,
        'message not stored, retry with the same clientMsgId',
      );
      for (const queued of batch) queued.reject(unavailable);
      return;
    }
    this.depth -= batch.length;
    stored.forEach((result, i) =>
      isSendRefusal(result) ? batch[i].reject(refusalError(result)) : batch[i].resolve(result),
    );
  }
}

/** The error a client gets for a write the store refused: over the user's rate (retryable later), or a change it may not make. */
function refusalError(refusal: SendRefusal): ChatException {
  switch (refusal.refused) {
    case 'rate_limited':
      return new ChatException(ChatErrorCode.RateLimited, 'user rate limit exceeded', {
        retryAfterMs: refusal.retryAfterMs,
      });
    case 'not_found':
      return new ChatException(ChatErrorCode.NotFound, 'no such message in this conversation');
    case 'forbidden':
      return new ChatException(ChatErrorCode.Forbidden, refusal.reason);
  }
}
