import type { DiscoveryService, NestContainer } from '@nestjs/core';
import type { MessageMappingProperties } from '@nestjs/websockets';
import {
  ContextUtils,
  ExceptionFiltersContext,
  GuardsConsumer,
  GuardsContextCreator,
  InterceptorsConsumer,
  InterceptorsContextCreator,
  ParamsTokenFactory,
  PipesConsumer,
  PipesContextCreator,
  STATIC_CONTEXT,
  WsContextCreator,
  WsProxy,
} from './nest-internals.js';
import { discoverGateways, type DiscoveredGateway } from './gateway-discovery.js';
import { allSettled } from './settled-interceptor.js';
import { GatewayRoute, type EventRoute, type RouteParam } from './gateway-route.js';

/** A gateway's routes by event. */
export type RouteTable = ReadonlyMap<string, EventRoute>;

/**
 * A gateway whose sockets the adapter connects itself, as Nest's `WebSocketsController` would: the only
 * gateway on its server, static, every handler on the lean path. Nest's own connection handler costs every
 * socket a Subject emission, a bound function per handler and a closure for its disconnect.
 */
export interface LeanGateway {
  /** Its routes by event. */
  table: RouteTable;
  /** Runs the gateway's `handleConnection(client, request)`, if any; a fault is reported, never thrown. */
  connected(client: object, request: unknown): void;
  /** The disconnect hook of all its sockets: `this` is the client, so no socket keeps a closure for it. */
  disconnected: (this: object, code: number) => void;
}

/** A discovered gateway with its compiled routes. */
interface CompiledGateway {
  instance: object;
  /** Undefined when it must run on Nest's own handlers: request-scoped, or an event that is not a string. */
  table: RouteTable | undefined;
}

/**
 * Compiles every static gateway's handlers into `GatewayRoute`s once per app, resolving guards, pipes,
 * interceptors and filters with the same Nest context creators `@nestjs/websockets` uses, so the lean path
 * runs exactly what Nest would. Gateways are found with Nest's `DiscoveryService` and known by the server
 * they listen on (`gatewayEndpoint`), which is how the adapter, given a server, finds its gateway.
 */
export class GatewayRoutes {
  private readonly guards: GuardsContextCreator;
  private readonly pipes: PipesContextCreator;
  private readonly interceptors: InterceptorsContextCreator;
  private readonly interceptorsConsumer = new InterceptorsConsumer();
  private readonly filters: ExceptionFiltersContext;
  private readonly metadata: WsContextCreator;
  private readonly contextUtils = new ContextUtils();
  private readonly paramTokens = new ParamsTokenFactory();
  /** Compiled gateways by endpoint, once `prepare` ran. */
  private compiled: Map<string, CompiledGateway[]> | undefined;

  constructor(
    private readonly container: NestContainer,
    private readonly discovery: DiscoveryService,
    /** Told of a fault no client may see: a failing exception filter, or a failing connection hook. */
    private readonly onFault: (fault: unknown) => void,
  ) {
    const config = container.applicationConfig;
    this.guards = new GuardsContextCreator(container, config);
    this.pipes = new PipesContextCreator(container, config);
    this.interceptors = new InterceptorsContextCreator(container, config);
    this.filters = new ExceptionFiltersContext(container);
    // Only for its parameter metadata (decorated arguments, their pipes and types), which it caches.
    this.metadata = new WsContextCreator(
      new WsProxy(),
      this.filters,
      this.pipes,
      new PipesConsumer(),
      this.guards,
      new GuardsConsumer(),
      this.interceptors,
      this.interceptorsConsumer,
    );
  }

  /**
   * Discovers and compiles every gateway, once. The adapter calls it when Nest connects the first gateway
   * to its server, which is when Nest compiles its own handlers (global enhancers are set by then).
   */
  prepare(): void {
    if (this.compiled) return;
    const compiled = new Map<string, CompiledGateway[]>();
    for (const gateway of discoverGateways(this.discovery)) {
      const entry = { instance: gateway.instance, table: this.compile(gateway) };
      compiled.set(gateway.endpoint, [...(compiled.get(gateway.endpoint) ?? []), entry]);
    }
    this.compiled = compiled;
  }

  /**
   * The gateway the adapter connects sockets to itself at `endpoint`: undefined unless exactly one gateway
   * listens there and all its handlers run on the lean path (else Nest's own handlers run them).
   */
  leanGateway(endpoint: string | undefined): LeanGateway | undefined {
    if (endpoint === undefined) return undefined;
    // The adapter calls it right after `prepare`, when Nest connects the gateway.
    const gateways = this.compiled?.get(endpoint) ?? [];
    if (gateways.length !== 1 || !gateways[0].table) return undefined;
    const { instance, table } = gateways[0];
    const hooks = instance as {
      handleConnection?: (client: object, request: unknown) => unknown;
      handleDisconnect?: (client: object, reason: unknown) => unknown;
    };
    const report = this.onFault;
    const settle = (outcome: unknown): void => {
      if (outcome instanceof Promise) outcome.catch(report);
    };
    return {
      table,
      connected(client, request) {
        try {
          settle(hooks.handleConnection?.(client, request));
        } catch (fault) {
          report(fault);
        }
      },
      disconnected(this: object, code: number) {
        try {
          settle(hooks.handleDisconnect?.(this, code));
        } catch (fault) {
          report(fault);
        }
      },
    };
  }

  private compile({
    instance,
    moduleKey,
    handlers,
    isStatic,
  }: DiscoveredGateway): RouteTable | undefined {
    // A request-scoped gateway has an instance per socket, which only Nest's own handlers resolve.
    if (!isStatic) return undefined;
    const table = new Map<string, GatewayRoute>();
    for (const handler of handlers) {
      if (typeof handler.message !== 'string') return undefined;
      // Later handlers of one event win, as in WsAdapter's handler map.
      table.set(handler.message, this.route(instance, handler, moduleKey));
    }
    return table;
  }

  private route(
    instance: object,
    handler: MessageMappingProperties,
    moduleKey: string,
  ): GatewayRoute {
    const methodName = handler.methodName as string;
    const callback = handler.callback as (...args: unknown[]) => unknown;
    const { paramtypes, getParamsMetadata } = this.metadata.getMetadata(instance, methodName, 'ws');
    const pipes = this.pipes.create(instance, callback, moduleKey, STATIC_CONTEXT);
    const interceptors = this.interceptors.create(instance, callback, moduleKey, STATIC_CONTEXT);
    const declared = getParamsMetadata(moduleKey);
    const params: RouteParam[] = (
      declared ? this.contextUtils.mergeParamsMetatypes(declared, paramtypes) : []
    ).map((param) => ({
      index: param.index,
      extractValue: param.extractValue,
      pipes: [...pipes, ...param.pipes],
      // What Nest's PipesConsumer hands every pipe: `body` for @MessageBody, `custom` for the rest.
      metadata: {
        type: this.paramTokens.exchangeEnumForString(param.type as never),
        data: param.data as never,
        metatype: param.metatype as never,
        schema: param.schema,
      },
    }));
    return new GatewayRoute({
      pattern: handler.message as string,
      instance,
      method: callback,
      guards: this.guards.create(instance, callback, moduleKey, STATIC_CONTEXT),
      params,
      interceptors: allSettled(interceptors)
        ? { kind: 'settled', interceptors }
        : { kind: 'rxjs', interceptors, consumer: this.interceptorsConsumer },
      exceptions: this.filters.create(instance, callback, moduleKey, STATIC_CONTEXT),
      onFilterFault: this.onFault,
    });
  }
}
