import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { errorFrame, refOf } from '../protocol/error-frame.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { RefusalLog } from '../observability/refusal-log.js';
import type { ChatConnection } from './chat-connection.js';

/** What the adapter writes back for a frame: a handler's reply with the request's `ref`, or its own refusal. */
export class Replies {
  constructor(
    private readonly metrics: ChatMetrics,
    private readonly refusals: RefusalLog,
  ) {}

  /** Sends what a handler produced, if it is a frame, adding the request's `ref` to its data. */
  reply(connection: ChatConnection, result: unknown, ref: string | undefined): void {
    const frame = result as { event?: unknown; data?: unknown } | undefined;
    if (!frame || typeof frame.event !== 'string') return;
    const data =
      ref !== undefined && typeof frame.data === 'object' && frame.data !== null
        ? { ...frame.data, ref }
        : frame.data;
    connection.send(JSON.stringify({ event: frame.event, data }));
  }

  /**
   * Answers a frame refused before any handler ran. Such frames still spend rate tokens and count as
   * refusals in the window; past RATE_LIMIT_SILENT_AFTER of them they are counted, not answered.
   */
  refuse(
    connection: ChatConnection,
    code: ChatErrorCode,
    message: string,
    data?: unknown,
    event?: string,
  ): void {
    const retryAfterMs = connection.takeRateToken();
    // A frame over the rate was counted by the bucket; any other refusal is counted here, once.
    if (retryAfterMs === 0) connection.countRefusal();
    const sent = retryAfterMs > 0 ? ChatErrorCode.RateLimited : code;
    this.metrics.errors.inc({ code: sent });
    this.refusals.refused(event, sent, connection.user.id);
    if (!connection.answersRefusals) return;
    const ref = refOf(data);
    connection.send(
      retryAfterMs > 0
        ? errorFrame(ChatErrorCode.RateLimited, 'rate limit exceeded', ref, { retryAfterMs })
        : errorFrame(code, message, ref),
    );
  }
}
