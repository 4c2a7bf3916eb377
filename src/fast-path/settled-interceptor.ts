import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';

/** Called once a handler has settled: with nothing when it succeeded, with the error when it failed. */
export type Settle = (error?: unknown) => void;

/**
 * An interceptor that only watches a handler start and settle (logging, metrics). Nest runs it through
 * `intercept`, an rxjs pipe; the gateway's lean path calls `enter` directly, with no observable per event.
 */
export abstract class SettledInterceptor implements NestInterceptor {
  /** Runs before the handler; returns what to call once the handler settles, or nothing to skip that. */
  abstract enter(context: ExecutionContext): Settle | undefined;

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const settle = this.enter(context);
    if (!settle) return next.handle();
    return next
      .handle()
      .pipe(tap({ complete: () => settle(), error: (error: unknown) => settle(error) }));
  }
}

/** Whether every interceptor of a handler can run without rxjs: a subclass that overrides `intercept` cannot. */
export function allSettled(
  interceptors: readonly NestInterceptor[],
): interceptors is SettledInterceptor[] {
  return interceptors.every(
    (interceptor) =>
      interceptor instanceof SettledInterceptor &&
      interceptor.intercept === SettledInterceptor.prototype.intercept,
  );
}
