import type { NestContainer } from '@nestjs/core';
import { MetadataScanner } from '@nestjs/core';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable } from 'rxjs';
import {
  ContextUtils,
  ExceptionFiltersContext,
  GATEWAY_METADATA,
  GatewayMetadataExplorer,
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
  type InstanceWrapper,
} from './nest-internals.js';
import { allSettled } from './settled-interceptor.js';
import { GatewayRoute, type EventRoute, type RouteParam } from './gateway-route.js';

/** A gateway's routes by event. */
export type RouteTable = ReadonlyMap<string, EventRoute>;

/**
 * Compiles every static gateway's handlers into `GatewayRoute`s once per app, resolving guards, pipes,
 * interceptors and filters with the same Nest context creators `@nestjs/websockets` uses, so the lean path
 * runs exactly what Nest would. Nest binds handlers per socket by event name only; the gateway they belong
 * to is the one whose events are exactly those.
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
  private readonly explorer = new GatewayMetadataExplorer(new MetadataScanner());
  /** Compiled tables by the events' signature; `null` when no single static gateway has those events. */
  private readonly tables = new Map<string, RouteTable | null>();

  constructor(
    private readonly container: NestContainer,
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

  /** The routes for the handlers Nest binds to one socket, or undefined when they must run Nest's own way. */
  forHandlers(handlers: readonly MessageMappingProperties[]): RouteTable | undefined {
    const signature = signatureOf(handlers.map((handler) => handler.message));
    let table = this.tables.get(signature);
    if (table === undefined) {
      table = this.compile(signature);
      this.tables.set(signature, table);
    }
    return table ?? undefined;
  }

  private compile(signature: string): RouteTable | null {
    const matches: Array<{
      instance: object;
      wrapper: InstanceWrapper;
      moduleKey: string;
      handlers: MessageMappingProperties[];
    }> = [];
    for (const [moduleKey, module] of this.container.getModules()) {
      for (const wrapper of module.providers.values()) {
        if (!isGateway(wrapper)) continue;
        const instance = wrapper.instance as object;
        const handlers = this.explorer.explore(instance);
        if (signatureOf(handlers.map((handler) => handler.message)) === signature)
          matches.push({ instance, wrapper, moduleKey, handlers });
      }
    }
    // Two gateways with the same events, or a request-scoped one: Nest's own handlers know which is which.
    if (matches.length !== 1 || !matches[0].wrapper.isDependencyTreeStatic()) return null;
    const { instance, moduleKey, handlers } = matches[0];
    const table = new Map<string, GatewayRoute>();
    for (const handler of handlers) {
      if (typeof handler.message !== 'string') return null;
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

function isGateway(wrapper: InstanceWrapper): boolean {
  const { metatype, instance } = wrapper;
  return (
    !wrapper.isNotMetatype &&
    typeof metatype === 'function' &&
    instance !== null &&
    typeof instance === 'object' &&
    Reflect.getMetadataKeys(metatype).includes(GATEWAY_METADATA)
  );
}

/** The events of a gateway in any order, as one key. */
function signatureOf(events: readonly unknown[]): string {
  return events
    .map((event) => String(event))
    .sort()
    .join('\n');
}

/**
 * Nest's own handlers for one socket, for a gateway the lean path cannot compile (request-scoped, or two
 * gateways with the same events): each already bound by Nest to its client, run through Nest's pipeline.
 */
export function nestHandlerRoutes(
  handlers: readonly MessageMappingProperties[],
  onError: (error: unknown) => void,
): RouteTable {
  const routes = new Map<string, EventRoute>();
  for (const handler of handlers) {
    routes.set(String(handler.message), {
      handle: (_client, data, reply) =>
        void Promise.resolve(handler.callback(data, handler.message)).then((result: unknown) => {
          if (isObservable(result)) result.subscribe(reply);
          else reply(result);
        }, onError),
    });
  }
  return routes;
}
