import type { ErrorAnswers } from '../domain/error-answer.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import type { ChatConnection } from './chat-connection.js';

/** What the adapter writes back for a frame: a handler's reply with the request's `ref`, or its own refusal. */
export class Replies {
  constructor(private readonly errors: ErrorAnswers) {}

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
    this.errors.answer(
      connection,
      retryAfterMs > 0
        ? {
            code: ChatErrorCode.RateLimited,
            message: 'rate limit exceeded',
            details: { retryAfterMs },
            event,
            data,
          }
        : { code, message, event, data },
    );
  }
}
