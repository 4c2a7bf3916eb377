import type {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  ExecutionContext,
  NestInterceptor,
  PipeTransform,
} from '@nestjs/common';
import { InterceptorsConsumer } from '@nestjs/core/internal';
import { WsException } from '@nestjs/websockets';
import { WsExceptionsHandler } from '@nestjs/websockets/exceptions/ws-exceptions-handler.js';
import { EventEmitter } from 'node:events';
import { NEVER, Observable, map, of, startWith, type Observable as ObservableType } from 'rxjs';
import { SettledInterceptor, type Settle } from './settled-interceptor.js';
import { GatewayRoute, type RouteDefinition, type RouteParam } from './gateway-route.js';

const socket = new EventEmitter();
const client = { id: 'client', socket };

/** Records what reached the exception filters. */
class RecordingFilters extends WsExceptionsHandler {
  readonly caught: Array<{ error: unknown; data: unknown }> = [];
  override handle(error: unknown, host: ArgumentsHost): void {
    this.caught.push({ error, data: host.switchToWs().getData() });
  }
}

/** A pipe that tags the value, synchronously or not. */
function tagPipe(tag: string, async = false): PipeTransform {
  return {
    transform: (value: unknown) => {
      const tagged = `${String(value)}|${tag}`;
      return async ? Promise.resolve(tagged) : tagged;
    },
  };
}

function bodyParam(pipes: PipeTransform[] = [], index = 0): RouteParam {
  return {
    index,
    extractValue: (_client: unknown, data: unknown) => data,
    pipes,
    metadata: { type: 'body', metatype: String, data: undefined },
  };
}

class Recorder extends SettledInterceptor {
  constructor(
    private readonly name: string,
    private readonly log: string[],
  ) {
    super();
  }
  enter(): Settle {
    this.log.push(`enter ${this.name}`);
    return (error) => this.log.push(`settle ${this.name} ${error ? 'error' : 'ok'}`);
  }
}

function route(overrides: Partial<RouteDefinition> = {}): {
  sut: GatewayRoute;
  filters: RecordingFilters;
  replies: unknown[];
  run: (data?: unknown) => void;
} {
  const filters = new RecordingFilters();
  const definition: RouteDefinition = {
    pattern: 'echo',
    instance: {},
    method: (value: unknown) => value,
    guards: [],
    params: [bodyParam()],
    interceptors: { kind: 'settled', interceptors: [] },
    exceptions: filters,
    onFilterFault: (fault) => {
      throw fault;
    },
    ...overrides,
  };
  const sut = new GatewayRoute(definition);
  const replies: unknown[] = [];
  return {
    sut,
    filters,
    replies,
    run: (data: unknown = 'hi') => sut.handle(client, data, (value) => replies.push(value)),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GatewayRoute', () => {
  it('replies synchronously when every step answers synchronously', () => {
    const { run, replies } = route({
      guards: [{ canActivate: () => true }],
      params: [bodyParam([tagPipe('a'), tagPipe('b')])],
    });

    run('hi');

    expect(replies).toEqual(['hi|a|b']);
  });

  it('gives a handler without decorated parameters (client, data, pattern)', () => {
    const { run, replies } = route({
      params: [],
      method: (...args: unknown[]) => args,
    });

    run({ x: 1 });

    expect(replies).toEqual([[client, { x: 1 }, 'echo']]);
  });

  it('passes the frame to guards as a ws execution context', () => {
    const seen: unknown[] = [];
    const guard: CanActivate = {
      canActivate: (context: ExecutionContext) => {
        seen.push(
          context.getType(),
          context.switchToWs().getClient(),
          context.switchToWs().getData(),
        );
        seen.push(context.switchToWs().getPattern());
        return true;
      },
    };
    const { run } = route({ guards: [guard] });

    run('payload');

    expect(seen).toEqual(['ws', client, 'payload', 'echo']);
  });

  it.each([
    ['false', () => false],
    ['a promise of false', () => Promise.resolve(false)],
    ['an observable of false', () => of(false)],
    ['a promise of an observable of false', () => Promise.resolve(of(false))],
  ])(
    'refuses with WsException("Forbidden resource") when a guard answers %s',
    async (_, answer) => {
      let called = false;
      const { run, filters, replies } = route({
        guards: [{ canActivate: answer as CanActivate['canActivate'] }],
        method: () => (called = true),
      });

      run();
      await settle();

      expect(called).toBe(false);
      expect(replies).toEqual([]);
      expect(filters.caught).toHaveLength(1);
      expect(filters.caught[0].error).toBeInstanceOf(WsException);
      expect((filters.caught[0].error as WsException).message).toBe('Forbidden resource');
    },
  );

  it('runs the guards after an asynchronous one, in order, and then the handler', async () => {
    const order: string[] = [];
    const { run, replies } = route({
      guards: [
        { canActivate: () => (order.push('first'), true) },
        { canActivate: () => (order.push('second'), Promise.resolve(true)) },
        { canActivate: () => (order.push('third'), of(true)) },
        { canActivate: () => (order.push('fourth'), true) },
      ],
    });

    run('hi');
    expect(replies).toEqual([]);
    await settle();

    expect(order).toEqual(['first', 'second', 'third', 'fourth']);
    expect(replies).toEqual(['hi']);
  });

  it('applies pipes in order across an asynchronous one', async () => {
    const { run, replies } = route({
      params: [bodyParam([tagPipe('sync'), tagPipe('async', true), tagPipe('after')])],
    });

    run('hi');
    await settle();

    expect(replies).toEqual(['hi|sync|async|after']);
  });

  it('awaits a custom parameter that resolves asynchronously before its pipes', async () => {
    const custom: RouteParam = {
      ...bodyParam([tagPipe('piped')], 1),
      extractValue: () => Promise.resolve('resolved'),
      metadata: { type: 'custom' },
    };
    const { run, replies } = route({
      params: [bodyParam(), custom],
      method: (body: unknown, extra: unknown) => [body, extra],
    });

    run('hi');
    await settle();

    expect(replies).toEqual([['hi', 'resolved|piped']]);
  });

  it('sends a thrown error, a rejection and a pipe failure to the filters with the frame', async () => {
    const failures = [
      route({
        method: () => {
          throw new Error('thrown');
        },
      }),
      route({ method: () => Promise.reject(new Error('rejected')) }),
      route({
        params: [
          bodyParam([
            {
              transform: () => {
                throw new Error('invalid');
              },
            },
          ]),
        ],
      }),
    ];

    for (const { run } of failures) run('frame');
    await settle();

    expect(
      failures.map(({ filters }) => filters.caught.map((c) => (c.error as Error).message)),
    ).toEqual([['thrown'], ['rejected'], ['invalid']]);
    for (const { filters, replies } of failures) {
      expect(filters.caught[0].data).toBe('frame');
      expect(replies).toEqual([]);
    }
  });

  it('replies with every value of an observable result, and filters its error', async () => {
    const { run, replies, filters } = route({
      method: () =>
        new Observable((subscriber) => {
          subscriber.next('one');
          subscriber.next('two');
          subscriber.error(new Error('stream broke'));
        }),
    });

    run();
    await settle();

    expect(replies).toEqual(['one', 'two']);
    expect((filters.caught[0].error as Error).message).toBe('stream broke');
  });

  it('stops following an observable reply once the socket closes', () => {
    let unsubscribed = false;
    const { run, replies } = route({
      method: () =>
        new Observable((subscriber) => {
          subscriber.next('first');
          return () => (unsubscribed = true);
        }),
    });

    run();
    expect(replies).toEqual(['first']);
    socket.emit('close');

    expect(unsubscribed).toBe(true);
    expect(socket.listenerCount('close')).toBe(0);
  });

  it('leaves no close listener behind for an observable that completed', () => {
    const { run, replies } = route({ method: () => NEVER.pipe(startWith('only')) });
    const before = socket.listenerCount('close');
    const finite = route({ method: () => of('a', 'b') });

    finite.run();
    run();

    expect(finite.replies).toEqual(['a', 'b']);
    expect(replies).toEqual(['only']);
    expect(socket.listenerCount('close')).toBe(before + 1);
    socket.emit('close');
  });

  it('hands a reply that cannot be sent to the filters instead of throwing up the socket', async () => {
    const { sut, filters } = route({ method: () => Promise.resolve('value') });
    const throwing = route();

    sut.handle(client, 'x', () => {
      throw new TypeError('Do not know how to serialize a BigInt');
    });
    expect(() =>
      throwing.sut.handle(client, 'y', () => {
        throw new TypeError('circular');
      }),
    ).not.toThrow();
    await settle();

    expect(filters.caught.map((c) => (c.error as Error).message)).toEqual([
      'Do not know how to serialize a BigInt',
    ]);
    expect(throwing.filters.caught.map((c) => (c.error as Error).message)).toEqual(['circular']);
  });

  it('enters settled interceptors outermost first and settles them innermost first', async () => {
    const log: string[] = [];
    const { run, replies } = route({
      interceptors: {
        kind: 'settled',
        interceptors: [new Recorder('outer', log), new Recorder('inner', log)],
      },
      method: (value: unknown) => {
        log.push('handler');
        return Promise.resolve(value);
      },
    });

    run('hi');
    await settle();

    expect(log).toEqual([
      'enter outer',
      'enter inner',
      'handler',
      'settle inner ok',
      'settle outer ok',
    ]);
    expect(replies).toEqual(['hi']);
  });

  it('settles settled interceptors with the error when the handler fails', async () => {
    const log: string[] = [];
    const { run, filters } = route({
      interceptors: { kind: 'settled', interceptors: [new Recorder('only', log)] },
      method: () => {
        throw new Error('boom');
      },
    });

    run();
    await settle();

    expect(log).toEqual(['enter only', 'settle only error']);
    expect(filters.caught).toHaveLength(1);
  });

  it("runs an rxjs interceptor through Nest's consumer, which may change the reply", async () => {
    const doubling: NestInterceptor = {
      intercept: (_: ExecutionContext, next: CallHandler): ObservableType<unknown> =>
        next.handle().pipe(map((value) => `${String(value)}${String(value)}`)),
    };
    const { run, replies } = route({
      interceptors: {
        kind: 'rxjs',
        interceptors: [doubling],
        consumer: new InterceptorsConsumer(),
      },
    });

    run('ab');
    await settle();

    expect(replies).toEqual(['abab']);
  });

  it('reports a filter that throws instead of losing it', () => {
    const faults: unknown[] = [];
    const { sut } = route({
      method: () => {
        throw new Error('handler');
      },
      exceptions: Object.assign(new WsExceptionsHandler(), {
        handle: () => {
          throw new Error('filter');
        },
      }),
      onFilterFault: (fault) => faults.push(fault),
    });

    sut.handle(client, 'x', () => undefined);

    expect((faults[0] as Error).message).toBe('filter');
  });
});
