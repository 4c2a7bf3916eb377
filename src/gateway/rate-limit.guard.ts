import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { sessionIn } from './session-in.js';

/** Spends one of the connection's rate tokens per event; over the rate the event gets `rate_limited`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const retryAfterMs = sessionIn(context).takeRateToken();
    if (retryAfterMs > 0) {
      throw new ChatException(ChatErrorCode.RateLimited, 'rate limit exceeded', { retryAfterMs });
    }
    return true;
  }
}
