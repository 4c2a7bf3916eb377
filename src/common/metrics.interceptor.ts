import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { outcomeOf } from './outcome.js';
import { SettledInterceptor, type Settle } from './settled-interceptor.js';

/** Observes each handled event's duration, labelled by event and outcome. */
@Injectable()
export class MetricsInterceptor extends SettledInterceptor {
  /** One histogram child per event and outcome: resolving labels per observation costs more than observing. */
  private readonly children = new Map<string, Histogram.Internal<'event' | 'outcome'>>();

  constructor(private readonly metrics: ChatMetrics) {
    super();
  }

  enter(context: ExecutionContext): Settle {
    const started = performance.now();
    const event = context.switchToWs().getPattern();
    return (error?: unknown) =>
      this.child(event, outcomeOf(error)).observe((performance.now() - started) / 1000);
  }

  private child(event: string, outcome: string): Histogram.Internal<'event' | 'outcome'> {
    const key = `${event}\n${outcome}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.metrics.handlerSeconds.labels({ event, outcome });
      this.children.set(key, child);
    }
    return child;
  }
}
