import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { tap, type Observable } from 'rxjs';
import type { WebSocket } from 'ws';
import { connectionOf } from '../transport/chat-connection.js';
import { outcomeOf } from './outcome.js';

/** Logs each handled event at debug level: event, user, duration and outcome; never text or tokens. */
@Injectable()
export class LoggingInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('ChatGateway');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Per-message logging is off the hot path unless debug is on.
    if (!this.logger.logger.isLevelEnabled('debug')) return next.handle();
    const started = performance.now();
    const event = context.switchToWs().getPattern();
    const user = connectionOf(context.switchToWs().getClient<WebSocket>()).user.id;
    const log = (error?: unknown) =>
      this.logger.debug(
        {
          event,
          user,
          durationMs: +(performance.now() - started).toFixed(3),
          outcome: outcomeOf(error),
        },
        'event',
      );
    return next
      .handle()
      .pipe(tap({ complete: () => log(), error: (error: unknown) => log(error) }));
  }
}
