import type { ArgumentMetadata, CanActivate, NestInterceptor, PipeTransform } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { isObservable, lastValueFrom, tap, type Observable } from 'rxjs';
import {
  ExecutionContextHost,
  FORBIDDEN_MESSAGE,
  type InterceptorsConsumer,
  type WsExceptionsHandler,
} from './nest-internals.js';
import type { Settle, SettledInterceptor } from './settled-interceptor.js';

/** One handler parameter as Nest resolved it: where it goes, how it is read from a frame, and its pipes. */
export interface RouteParam {
  index: number;
  extractValue: (...args: unknown[]) => unknown;
  /** Global, gateway, handler and parameter pipes, in the order Nest applies them. */
  pipes: PipeTransform[];
  metadata: ArgumentMetadata;
}

/** How the route's interceptors run: without rxjs when all only watch start and settle, else through Nest's consumer. */
export type RouteInterceptors =
  | { kind: 'settled'; interceptors: SettledInterceptor[] }
  | { kind: 'rxjs'; interceptors: NestInterceptor[]; consumer: InterceptorsConsumer };

/** Everything a route needs, resolved once per gateway handler by `GatewayRoutes`. */
export interface RouteDefinition {
  pattern: string;
  instance: object;
  method: (...args: unknown[]) => unknown;
  guards: CanActivate[];
  /** Empty when the handler has no decorated parameters: it then gets `(client, data, pattern)`. */
  params: RouteParam[];
  interceptors: RouteInterceptors;
  /** The handler's exception filters, as Nest selects them by `@Catch`. */
  exceptions: WsExceptionsHandler;
  /** Told when an exception filter itself throws, which would otherwise go unnoticed. */
  onFilterFault: (fault: unknown) => void;
}

/** Where a route hears that the client's socket closed, to stop replying from an observable. */
export interface CloseSignal {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * Who a route runs for: what guards, filters and `@ConnectedSocket()` see (the adapter's session), whose
 * `socket` tells when it closed.
 */
export interface RouteClient {
  readonly socket: CloseSignal;
}

/** Runs one client event: `reply` gets each value the handler produces. */
export interface EventRoute {
  handle(client: RouteClient, data: unknown, reply: (value: unknown) => void): void;
}

/**
 * A gateway handler with its guards, pipes, interceptors and exception filters, run the way Nest runs them
 * but synchronously as long as each step answers synchronously: no promise hop and no observable per event
 * unless a guard, pipe, interceptor or the handler itself is asynchronous.
 */
export class GatewayRoute implements EventRoute {
  constructor(private readonly definition: RouteDefinition) {}

  /** The event this route handles. */
  get pattern(): string {
    return this.definition.pattern;
  }

  /** Runs the pipeline for one frame; `reply` gets each value the handler produces; failures go to the filters. */
  handle(client: RouteClient, data: unknown, reply: (value: unknown) => void): void {
    const { instance, pattern } = this.definition;
    const context = new ExecutionContextHost(
      [client, data, pattern],
      instance.constructor as never,
      this.definition.method,
    );
    context.setType('ws');
    let result: unknown;
    try {
      const activating = this.activate(context);
      result = activating
        ? activating.then(() => this.intercept(context))
        : this.intercept(context);
    } catch (error) {
      return this.fail(error, context);
    }
    this.emit(result, context, reply, client.socket);
  }

  private emit(
    result: unknown,
    context: ExecutionContextHost,
    reply: (value: unknown) => void,
    closing: CloseSignal,
  ): void {
    if (isPromiseLike(result)) {
      result.then(
        (value) => this.emit(value, context, reply, closing),
        (error: unknown) => this.fail(error, context),
      );
    } else if (isObservable(result)) {
      this.stream(result, context, reply, closing);
    } else {
      this.send(result, context, reply);
    }
  }

  /** Replies with each value until the observable ends or the socket closes, as Nest's adapter does. */
  private stream(
    result: Observable<unknown>,
    context: ExecutionContextHost,
    reply: (value: unknown) => void,
    client: CloseSignal,
  ): void {
    const stop = () => subscription.unsubscribe();
    const subscription = result.subscribe({
      next: (value) => this.send(value, context, reply),
      error: (error: unknown) => {
        client.off('close', stop);
        this.fail(error, context);
      },
      complete: () => client.off('close', stop),
    });
    if (!subscription.closed) client.once('close', stop);
  }

  /** A reply that cannot be sent (say, a value JSON cannot serialize) goes to the filters, not up the socket. */
  private send(
    value: unknown,
    context: ExecutionContextHost,
    reply: (value: unknown) => void,
  ): void {
    try {
      reply(value);
    } catch (error) {
      this.fail(error, context);
    }
  }

  private fail(error: unknown, context: ExecutionContextHost): void {
    try {
      this.definition.exceptions.handle(error as Error, context);
    } catch (fault) {
      this.definition.onFilterFault(fault);
    }
  }

  /** Runs the guards; returns a promise only once a guard answers asynchronously. */
  private activate(context: ExecutionContextHost): Promise<void> | undefined {
    const { guards } = this.definition;
    for (let i = 0; i < guards.length; i += 1) {
      const allowed = guards[i].canActivate(context);
      if (allowed === true) continue;
      if (allowed === false) throw new WsException(FORBIDDEN_MESSAGE);
      return this.activateFrom(i, allowed, context);
    }
    return undefined;
  }

  private async activateFrom(
    index: number,
    pending: unknown,
    context: ExecutionContextHost,
  ): Promise<void> {
    const { guards } = this.definition;
    for (let i = index; i < guards.length; i += 1) {
      // As Nest's GuardsConsumer: await first, then an observable (also one a promise resolved to).
      let allowed: unknown = await (i === index ? pending : guards[i].canActivate(context));
      if (isObservable(allowed)) allowed = await lastValueFrom(allowed);
      if (!allowed) throw new WsException(FORBIDDEN_MESSAGE);
    }
  }

  private intercept(context: ExecutionContextHost): unknown {
    const { interceptors } = this.definition;
    if (interceptors.kind === 'rxjs') {
      const { instance, method } = this.definition;
      return interceptors.consumer.intercept(
        interceptors.interceptors,
        context.getArgs(),
        instance as never,
        method,
        async () => this.invoke(context),
        'ws',
      );
    }
    if (interceptors.interceptors.length === 0) return this.invoke(context);
    const settles: Settle[] = [];
    for (const interceptor of interceptors.interceptors) {
      const settle = interceptor.enter(context);
      if (settle) settles.push(settle);
    }
    const settleAll = (error?: unknown) => {
      // Innermost first, as rxjs unwinds nested pipes.
      for (let i = settles.length - 1; i >= 0; i -= 1) settles[i](error);
    };
    let result: unknown;
    try {
      result = this.invoke(context);
    } catch (error) {
      settleAll(error);
      throw error;
    }
    if (settles.length === 0) return result;
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => {
          settleAll();
          return value;
        },
        (error: unknown) => {
          settleAll(error);
          throw error;
        },
      );
    }
    if (isObservable(result)) {
      return (result as Observable<unknown>).pipe(
        tap({ complete: () => settleAll(), error: (error: unknown) => settleAll(error) }),
      );
    }
    settleAll();
    return result;
  }

  /** Resolves the parameters through their pipes, then calls the handler. */
  private invoke(context: ExecutionContextHost): unknown {
    const { params, instance, method } = this.definition;
    const frame = context.getArgs();
    if (params.length === 0) return method.apply(instance, frame);
    // Parameters without a decorator stay undefined, as Nest leaves them.
    const args: unknown[] = [];
    for (let i = 0; i < params.length; i += 1) {
      const param = params[i];
      const value = transform(param, param.extractValue(...frame), 0);
      if (isPromiseLike(value)) return this.invokeFrom(i, value, args, frame);
      args[param.index] = value;
    }
    return method.apply(instance, args);
  }

  private async invokeFrom(
    index: number,
    pending: PromiseLike<unknown>,
    args: unknown[],
    frame: unknown[],
  ): Promise<unknown> {
    const { params, instance, method } = this.definition;
    args[params[index].index] = await pending;
    for (let i = index + 1; i < params.length; i += 1) {
      const param = params[i];
      args[param.index] = await transform(param, param.extractValue(...frame), 0);
    }
    return method.apply(instance, args);
  }
}

/** Applies a parameter's pipes from `from` on; returns a promise only once a pipe answers asynchronously. */
function transform(param: RouteParam, value: unknown, from: number): unknown {
  // A custom parameter decorator may yield a promise: pipes see what it resolves to.
  if (isPromiseLike(value))
    return Promise.resolve(value).then((resolved) => transform(param, resolved, from));
  let current = value;
  for (let i = from; i < param.pipes.length; i += 1) {
    current = param.pipes[i].transform(current, param.metadata);
    if (isPromiseLike(current)) {
      const next = i + 1;
      return Promise.resolve(current).then((resolved) => transform(param, resolved, next));
    }
  }
  return current;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
