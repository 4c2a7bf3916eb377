import { Injectable, type ExecutionContext } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { eventIn, sessionIn } from './session-in.js';
import { outcomeOf } from './outcome.js';
import { SettledInterceptor, type Settle } from '../fast-path/settled-interceptor.js';

/** Logs each handled event at debug level: event, user, duration and outcome; never text or tokens. */
@Injectable()
export class LoggingInterceptor extends SettledInterceptor {
  constructor(private readonly logger: PinoLogger) {
    super();
    logger.setContext('ChatGateway');
  }

  enter(context: ExecutionContext): Settle | undefined {
    // Per-message logging is off the hot path unless debug is on.
    if (!this.logger.logger.isLevelEnabled('debug')) return undefined;
    const started = performance.now();
    const event = eventIn(context);
    const user = sessionIn(context).user.id;
    return (error?: unknown) =>
      this.logger.debug(
        {
          event,
          user,
          durationMs: +(performance.now() - started).toFixed(3),
          outcome: outcomeOf(error),
        },
        'event',
      );
  }
}
