import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';

/** The refusal for a send over USER_RATE_LIMIT_PER_SECOND, retryable at the next second. */
export function userRateExceeded(now: number): ChatException {
  return new ChatException(ChatErrorCode.RateLimited, 'user rate limit exceeded', {
    retryAfterMs: 1000 - (now % 1000),
  });
}
