import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RateLimitRefusal } from './rate-limit-refusal.js';
import { sessionIn } from './session-in.js';

/** Spends one of the connection's rate tokens per event; over the rate the event gets `rate_limited`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const session = sessionIn(context);
    const retryAfterMs = session.takeRateToken();
    if (retryAfterMs > 0) throw new RateLimitRefusal(retryAfterMs, session.answersRefusals);
    return true;
  }
}
