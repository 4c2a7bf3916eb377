import type { DiscoveryService } from '@nestjs/core';
import { MetadataScanner } from '@nestjs/core';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { gatewayEndpoint } from './gateway-endpoint.js';
import {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  GatewayMetadataExplorer,
  PARAM_ARGS_METADATA,
  PORT_METADATA,
  type InstanceWrapper,
} from './nest-internals.js';

/** A `@WebSocketGateway` provider as Nest connects it: its instance, where it listens, its handlers. */
export interface DiscoveredGateway {
  /** The gateway instance (for a request-scoped gateway, Nest's prototype of its per-socket instances). */
  instance: object;
  /** The key of the module that provides it, which Nest's context creators resolve enhancers in. */
  moduleKey: string;
  /** Its server's key (`gatewayEndpoint`). */
  endpoint: string;
  /** The `path` its options declare, as Nest reads it: `'/'` when none. */
  path: string;
  /** Its message handlers, explored as Nest explores them, in the order Nest binds them to a socket. */
  handlers: MessageMappingProperties[];
  /** False when its dependency tree is request-scoped: Nest then makes an instance per socket. */
  isStatic: boolean;
}

const explorer = new GatewayMetadataExplorer(new MetadataScanner());

/** Every gateway provider of the app, found through Nest's `DiscoveryService`, in the container's order. */
export function discoverGateways(discovery: DiscoveryService): DiscoveredGateway[] {
  const gateways: DiscoveredGateway[] = [];
  for (const wrapper of discovery.getProviders()) {
    if (!isGateway(wrapper) || !wrapper.host) continue;
    const metatype = wrapper.metatype as object;
    const options = Reflect.getMetadata(GATEWAY_OPTIONS, metatype) as
      { path?: unknown } | undefined;
    const instance = wrapper.instance as object;
    gateways.push({
      instance,
      moduleKey: wrapper.host.token,
      endpoint: gatewayEndpoint(Reflect.getMetadata(PORT_METADATA, metatype), options?.path),
      path: typeof options?.path === 'string' ? options.path : '/',
      handlers: explorer.explore(instance as never),
      isStatic: wrapper.isDependencyTreeStatic(),
    });
  }
  return gateways;
}

/** Nest's number for a `@MessageBody()` argument (`WsParamtype.PAYLOAD`), the first part of its metadata key. */
const PAYLOAD_PARAM = 3;

/**
 * The declared type of a handler's whole `@MessageBody()` argument (its DTO class, as pipes see it as
 * `metatype`), or undefined when it has none: no such argument, or only `@MessageBody('field')` ones.
 */
export function messageBodyType(gateway: object, methodName: string): unknown {
  const args = Reflect.getMetadata(PARAM_ARGS_METADATA, gateway.constructor, methodName) as
    Record<string, { index: number; data?: unknown }> | undefined;
  const types = Reflect.getMetadata('design:paramtypes', gateway, methodName) as
    unknown[] | undefined;
  for (const [key, arg] of Object.entries(args ?? {})) {
    if (key.startsWith(`${PAYLOAD_PARAM}:`) && arg.data === undefined) return types?.[arg.index];
  }
  return undefined;
}

/** What Nest's `SocketModule` connects as a gateway: a class provider marked by `@WebSocketGateway`. */
function isGateway(wrapper: InstanceWrapper): boolean {
  const { metatype, instance } = wrapper;
  return (
    !wrapper.isNotMetatype &&
    typeof metatype === 'function' &&
    typeof instance === 'object' &&
    instance !== null &&
    Reflect.getMetadataKeys(metatype).includes(GATEWAY_METADATA)
  );
}
