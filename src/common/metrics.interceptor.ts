import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { outcomeOf } from './outcome.js';

/** Observes each handled event's duration, labelled by event and outcome. */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: ChatMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const stop = this.metrics.handlerSeconds.startTimer({
      event: context.switchToWs().getPattern(),
    });
    return next.handle().pipe(
      tap({
        complete: () => stop({ outcome: 'ok' }),
        error: (error: unknown) => stop({ outcome: outcomeOf(error) }),
      }),
    );
  }
}
