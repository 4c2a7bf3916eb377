import { ChatException } from '../domain/chat.exception.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';

/**
 * `RateLimitGuard`'s `rate_limited`, carrying whether it gets an answer. That is decided when the refusal
 * is counted, not when the filter runs: on Nest's own handlers the filter runs a promise hop later, after
 * every frame of the same burst was counted, and would leave even the first refusals unanswered.
 */
export class RateLimitRefusal extends ChatException {
  constructor(
    retryAfterMs: number,
    /** False past RATE_LIMIT_SILENT_AFTER refusals in the window (or once the socket is closing). */
    readonly answered: boolean,
  ) {
    super(ChatErrorCode.RateLimited, 'rate limit exceeded', { retryAfterMs });
  }
}
