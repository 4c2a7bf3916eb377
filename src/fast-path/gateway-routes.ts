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

/** A discovered gateway with its compiled routes. */
interface CompiledGateway {
  /** Its handlers in the order Nest binds them, to recognise them in what Nest hands the adapter. */
  handlers: readonly MessageMappingProperties[];
  /** Undefined when it must run on Nest's own handlers: request-scoped, or an event that is not a string. */
  table: RouteTable | undefined;
}

/**
 * Compiles every static gateway's handlers into `GatewayRoute`s once per app, resolving guards, pipes,
 * interceptors and filters with the same Nest context creators `@nestjs/websockets` uses, so the lean path
 * runs exactly what Nest would. Gateways are found with Nest's `DiscoveryService` and known by the server
 * they listen on (`gatewayEndpoint`); a socket's handlers are matched to them one by one, in Nest's order.
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
    private readonly onFilterFault: (fault: unknown) => void,
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
      const entry = { handlers: gateway.handlers, table: this.compile(gateway) };
      compiled.set(gateway.endpoint, [...(compiled.get(gateway.endpoint) ?? []), entry]);
    }
    this.compiled = compiled;
  }

  /**
   * The routes for the handlers Nest binds to one socket of the server at `endpoint`, or undefined when
   * they must run Nest's own way: the gateway is request-scoped, or no single gateway on that server has
   * exactly these handlers (two gateways alike on one server, or an `endpoint` the adapter did not know).
   * Nest binds a socket's handlers only after connecting its gateway, so `prepare` has run by then.
   */
  forHandlers(
    endpoint: string | undefined,
    handlers: readonly MessageMappingProperties[],
  ): RouteTable | undefined {
    if (endpoint === undefined) return undefined;
    let found: CompiledGateway | undefined;
    for (const gateway of this.compiled?.get(endpoint) ?? []) {
      if (!bindsSameHandlers(gateway.handlers, handlers)) continue;
      if (found) return undefined;
      found = gateway;
    }
    return found?.table;
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
      onFilterFault: this.onFilterFault,
    });
  }
}

/**
 * Whether Nest's handlers for a socket are a gateway's, handler for handler: Nest binds every handler the
 * gateway has, in the order it explored them, with the same events (and names their methods when it
 * passes `methodName`, which `@nestjs/websockets` 12 leaves out).
 */
function bindsSameHandlers(
  gateway: readonly MessageMappingProperties[],
  bound: readonly MessageMappingProperties[],
): boolean {
  if (gateway.length !== bound.length) return false;
  for (let i = 0; i < bound.length; i += 1) {
    if (bound[i].message !== gateway[i].message) return false;
    const { methodName } = bound[i] as { methodName?: unknown };
    if (methodName !== undefined && methodName !== gateway[i].methodName) return false;
  }
  return true;
}
