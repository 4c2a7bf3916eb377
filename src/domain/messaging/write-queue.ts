import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
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
import { ChatObserver, NoChatObserver } from '../chat-observer.js';
import { runThenFlush } from '../turn-flush.js';

interface QueuedSend {
  send: PendingWrite;
  resolve: (stored: StoredWrite) => void;
  reject: (error: unknown) => void;
}

/** Most writes one batch carries: bounds a transaction's statements and the latency of the acks it holds. */
const MAX_BATCH = 1000;

/**
 * The write path between handlers and fan-out, a group commit: one batch is with the store (which stores and
 * publishes) at a time; what is enqueued meanwhile, over any number of event-loop turns, waits and goes as
 * the next batch (at most MAX_BATCH), so a store that takes milliseconds per commit (PostgreSQL) commits many
 * writes at once instead of one per turn. Batches strictly in order; a send resolves only once stored.
 */
@Injectable()
export class WriteQueue {
  private readonly logger = new Logger(WriteQueue.name);
  private pending: QueuedSend[] = [];
  private scheduled = false;
  /** The batch with the store, if any: while it is, new writes wait in `pending`. */
  private writing: Promise<void> | undefined;
  private depth = 0;
  private readonly observer: ChatObserver;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly store: MessageStore,
    metrics: ChatMetrics,
    @Optional() observer?: ChatObserver,
  ) {
    this.observer = observer ?? new NoChatObserver();
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
    for (;;) {
      // A drain already scheduled for a later immediate runs now (it finds nothing left when it comes).
      if (this.pending.length > 0) this.drain();
      if (!this.writing) return;
      await this.writing;
    }
  }

  private drain(): void {
    this.scheduled = false;
    if (this.writing || this.pending.length === 0) return;
    const batch =
      this.pending.length <= MAX_BATCH ? this.pending : this.pending.slice(0, MAX_BATCH);
    this.pending = batch === this.pending ? [] : this.pending.slice(MAX_BATCH);
    this.writing = this.write(batch).finally(() => {
      this.writing = undefined;
      // What arrived while this batch was with the store goes now, as one batch.
      if (this.pending.length > 0 && !this.scheduled) {
        this.scheduled = true;
        runThenFlush(() => this.drain());
      }
    });
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
    if (this.observer.observesMessages) this.observe(stored);
  }

  /** Tells the observer of the batch's new room messages, in storage order (resends are not new). */
  private observe(stored: readonly (StoredWrite | SendRefusal)[]): void {
    for (const result of stored) {
      if (!isSendRefusal(result) && result.kind === 'room' && !result.duplicate)
        this.observer.messageCreated(result.message);
    }
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
