import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { outcomeOf } from './outcome.js';
import { SettledInterceptor, type Settle } from '../fast-path/settled-interceptor.js';
import { eventIn } from './session-in.js';

/** Observes each handled event's duration, labelled by event and outcome. */
@Injectable()
export class MetricsInterceptor extends SettledInterceptor {
  constructor(private readonly metrics: ChatMetrics) {
    super();
  }

  enter(context: ExecutionContext): Settle {
    const started = performance.now();
    const event = eventIn(context);
    return (error?: unknown) =>
      this.metrics.handlerSeconds.observe(
        event,
        outcomeOf(error),
        (performance.now() - started) / 1000,
      );
  }
}
