import type { MessageMappingProperties } from '@nestjs/websockets';
import { EMPTY, Observable, catchError, filter, share, takeUntil } from 'rxjs';
import type { CloseSignal, EventRoute, RouteClient } from './gateway-route.js';
import type { RouteTable } from './gateway-routes.js';

/** What Nest hands `bindMessageHandlers` to turn a handler's result into the observable of its replies. */
export type ResultTransform = (result: unknown) => Observable<unknown>;

/**
 * One of Nest's own per-socket handlers, run exactly as `@nestjs/platform-ws`'s `WsAdapter` runs it:
 * Nest's handler (its guards, pipes, interceptors and filters in `WsContextCreator`), its result through
 * Nest's `transform`, replies that are not null or undefined, a failure that escapes the filters logged,
 * and no reply once the socket closed. Used when `GATEWAY_FAST_PATH` is off, and for gateways the lean path
 * leaves to Nest (request-scoped ones).
 */
export class NestHandlerRoute implements EventRoute {
  constructor(
    private readonly handler: MessageMappingProperties,
    private readonly transform: ResultTransform,
    private readonly onError: (error: unknown) => void,
    /** Emits once the socket closes; shared by the socket's routes, as WsAdapter shares its `close$`. */
    private readonly closed: Observable<void>,
  ) {}

  /** Runs Nest's handler for one frame; `reply` gets each value it produces. */
  handle(_client: RouteClient, data: unknown, reply: (value: unknown) => void): void {
    let results: Observable<unknown>;
    try {
      results = this.transform(this.handler.callback(data, this.handler.message));
    } catch (error) {
      // WsAdapter drops such a frame without a word; it is an application bug, so it is logged here.
      return this.onError(error);
    }
    results
      .pipe(
        filter((value) => value !== null && value !== undefined),
        catchError((error: unknown) => {
          this.onError(error);
          return EMPTY;
        }),
        takeUntil(this.closed),
      )
      .subscribe((value) => {
        // A reply that cannot be sent must not become an unhandled rxjs error (which ends the process).
        try {
          reply(value);
        } catch (error) {
          this.onError(error);
        }
      });
  }
}

/**
 * Nest's handlers for one socket as routes by event (a later handler of one event wins, as in WsAdapter);
 * `socket` tells when to stop replying.
 */
export function nestHandlerRoutes(
  handlers: readonly MessageMappingProperties[],
  transform: ResultTransform,
  onError: (error: unknown) => void,
  socket: CloseSignal,
): RouteTable {
  // One 'close' listener for the socket however many frames are in flight.
  const closed = new Observable<void>((subscriber) => {
    const stop = () => subscriber.next();
    socket.once('close', stop);
    return () => socket.off('close', stop);
  }).pipe(share());
  const routes = new Map<string, EventRoute>();
  for (const handler of handlers)
    routes.set(String(handler.message), new NestHandlerRoute(handler, transform, onError, closed));
  return routes;
}
