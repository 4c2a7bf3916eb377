import { Catch, Logger, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { ChatSession } from '../domain/session.js';
import { FORBIDDEN_MESSAGE } from '../fast-path/nest-internals.js';
import { isBackendUnreachable } from '../engine/backend-unreachable.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { ErrorAnswers } from '../domain/error-answer.js';
import { RefusalLog } from '../observability/refusal-log.js';
import { RateLimitRefusal } from './rate-limit-refusal.js';

/**
 * Turns anything a gateway handler throws into an `error` frame: a guard's `false` is `forbidden`, a
 * backend outage `unavailable`; faults are logged and shown only as `internal`, refusals logged at debug.
 * A `rate_limited` refusal goes unanswered once the socket is past RATE_LIMIT_SILENT_AFTER refusals in
 * the window.
 */
@Catch()
export class ChatExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('ChatExceptionFilter');
  private readonly errors: ErrorAnswers;

  constructor(metrics: ChatMetrics, refusals: RefusalLog) {
    this.errors = new ErrorAnswers(metrics, refusals);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    let code = ChatErrorCode.Internal;
    let message = 'internal error';
    let details: unknown;
    if (exception instanceof ChatException) {
      ({ code, message, details } = exception);
    } else if (exception instanceof WsException && exception.message === FORBIDDEN_MESSAGE) {
      // What Nest throws when a guard answers false: a refusal, not a fault.
      code = ChatErrorCode.Forbidden;
      message = 'forbidden';
    } else if (isBackendUnreachable(exception)) {
      // An outage, logged once by the engine's connection: the client may retry.
      code = ChatErrorCode.Unavailable;
      message = 'service unavailable, retry later';
    } else {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    const event: unknown = ws.getPattern();
    this.errors.answer(ws.getClient<ChatSession>(), {
      code,
      message,
      details,
      event: typeof event === 'string' ? event : undefined,
      data: ws.getData(),
      // Only rate_limited is counted in the refusal window; every other failure is answered.
      answered:
        code !== ChatErrorCode.RateLimited ||
        (exception instanceof RateLimitRefusal ? exception.answered : undefined),
    });
  }
}
