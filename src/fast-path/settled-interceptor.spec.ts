import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { lastValueFrom, map, of, type Observable } from 'rxjs';
import { SettledInterceptor, allSettled, type Settle } from './settled-interceptor.js';

class Watching extends SettledInterceptor {
  readonly log: string[] = [];
  enter(): Settle {
    this.log.push('enter');
    return (error) => this.log.push(error ? 'failed' : 'settled');
  }
}

/** Overrides `intercept` to change the reply: only rxjs can run it. */
class Rewriting extends Watching {
  override intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return super.intercept(context, next).pipe(map(() => 'rewritten'));
  }
}

const context = {} as ExecutionContext;

describe('SettledInterceptor', () => {
  it('runs through rxjs as Nest calls it: enter, the value, then settle', async () => {
    const sut = new Watching();

    const value = await lastValueFrom(sut.intercept(context, { handle: () => of('reply') }));

    expect(value).toBe('reply');
    expect(sut.log).toEqual(['enter', 'settled']);
  });

  it('can run on the lean path only when it does not override intercept', () => {
    const plain: NestInterceptor = { intercept: (_, next) => next.handle() };

    expect(allSettled([new Watching()])).toBe(true);
    expect(allSettled([new Watching(), new Rewriting()])).toBe(false);
    expect(allSettled([new Watching(), plain])).toBe(false);
    expect(allSettled([])).toBe(true);
  });
});
