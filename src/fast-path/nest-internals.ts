/**
 * Every private part of a dependency Switchboard relies on, in one place: a minor release of any of them
 * can change what is here without notice, so package.json pins `@nestjs/*` to exact versions and
 * `test/extending-gateway.e2e-spec.ts` and `gateway-route.spec.ts` fail if one of these stops behaving
 * as described. Nothing else in `src/` may import a private path (the layer rules in
 * `.dependency-cruiser.cjs` enforce it). Relied on:
 *
 * From `@nestjs/core/internal` (12 symbols, used by the lean gateway path to resolve and run enhancers as
 * `@nestjs/websockets` does):
 * - `GuardsContextCreator`, `GuardsConsumer`, `PipesContextCreator`, `PipesConsumer`,
 *   `InterceptorsContextCreator`, `InterceptorsConsumer`: resolve a handler's global, class and method
 *   enhancers from the container, and run rxjs interceptors;
 * - `ContextUtils`, `ParamsTokenFactory`: merge parameter metadata and name a parameter's type as pipes see it;
 * - `STATIC_CONTEXT`: the context id of static (not request-scoped) providers;
 * - `InstanceWrapper` (type): a provider in the container, as `DiscoveryService` lists them;
 * - `ExecutionContextHost`: the `ExecutionContext` guards, interceptors and filters receive;
 * - `FORBIDDEN_MESSAGE`: the message of the `WsException` Nest throws when a guard answers false.
 *
 * From `@nestjs/websockets` deep paths (not re-exported by its index):
 * - `GATEWAY_METADATA`, `PORT_METADATA`, `GATEWAY_OPTIONS` (`constants.js`): the metadata keys
 *   `@WebSocketGateway(port, options)` writes: that a class is a gateway, its port, its options (`path`),
 *   which is what Nest creates and keys a gateway's server by; `PARAM_ARGS_METADATA`: where the
 *   parameter decorators (`@MessageBody()` among them) record each handler's arguments;
 * - `ExceptionFiltersContext` (`context/exception-filters-context.js`): `@Catch` selection of filters;
 * - `WsContextCreator`, `WsProxy` (`context/`): only for their cached parameter metadata;
 * - `GatewayMetadataExplorer` (`gateway-metadata-explorer.js`): a gateway's handlers and their events;
 * - `WsExceptionsHandler` (type, `exceptions/ws-exceptions-handler.js`).
 *
 * Private fields read at runtime:
 * - `INestApplication.container` (`containerOf`): the `NestContainer` the context creators resolve from;
 * - `WsAdapter.upgradeListenersRegistry` (`upgradeListenersOf`): Nest's own 'upgrade' listener per port,
 *   which the adapter replaces and which `dispose()` takes off again;
 * - ws's `WebSocket._socket` (`tcpSocketOf`): the TCP socket under a WebSocket, written to directly with
 *   frames prepared once for many sockets.
 *
 * From class-transformer: `defaultMetadataStorage` (`cjs/storage.js`, typed in
 * `src/types/class-transformer-storage.d.ts`), to tell whether a DTO declares transformations.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { NestContainer } from '@nestjs/core';
import type { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export {
  ContextUtils,
  ExecutionContextHost,
  FORBIDDEN_MESSAGE,
  GuardsConsumer,
  GuardsContextCreator,
  InterceptorsConsumer,
  InterceptorsContextCreator,
  ParamsTokenFactory,
  PipesConsumer,
  PipesContextCreator,
  STATIC_CONTEXT,
  type InstanceWrapper,
} from '@nestjs/core/internal';
export {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  PARAM_ARGS_METADATA,
  PORT_METADATA,
} from '@nestjs/websockets/constants.js';
export { ExceptionFiltersContext } from '@nestjs/websockets/context/exception-filters-context.js';
export { WsContextCreator } from '@nestjs/websockets/context/ws-context-creator.js';
export { WsProxy } from '@nestjs/websockets/context/ws-proxy.js';
export type { WsExceptionsHandler } from '@nestjs/websockets/exceptions/ws-exceptions-handler.js';
export { GatewayMetadataExplorer } from '@nestjs/websockets/gateway-metadata-explorer.js';
export { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

/** Nest's 'upgrade' listener, as `WsAdapter` registers it per port. */
export type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The application's `NestContainer` (a private field of the application). */
export function containerOf(app: INestApplicationContext): NestContainer {
  return (app as unknown as { container: NestContainer }).container;
}

/** `WsAdapter`'s private registry of its 'upgrade' listeners by port, which its `dispose()` reads back. */
export function upgradeListenersOf(adapter: WsAdapter): Map<number, UpgradeListener> {
  return (adapter as unknown as { upgradeListenersRegistry: Map<number, UpgradeListener> })
    .upgradeListenersRegistry;
}

/** The TCP socket under a ws `WebSocket` (its private `_socket`), if it has one. */
export function tcpSocketOf(socket: WebSocket): Duplex | undefined {
  return (socket as unknown as { _socket?: Duplex })._socket;
}
