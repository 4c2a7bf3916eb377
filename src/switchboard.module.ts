import {
  ConfigurableModuleBuilder,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
  type Type,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AsyncApiModule } from './asyncapi/asyncapi.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DefaultIdentityProvider } from './auth/default-identity-provider.js';
import { IdentityProvider } from './auth/identity-provider.js';
import { RedisCacheModule } from './cache/redis-cache.module.js';
import {
  appConfig,
  parseOptions,
  type AppConfig,
  type SwitchboardOptions,
} from './config/app-config.js';
import { DomainModule } from './domain/domain.module.js';
import { PublisherModule } from './domain/publisher/publisher.module.js';
import { DefaultRoomPolicy } from './domain/rooms/default-room-policy.js';
import { RoomPolicy } from './domain/rooms/room-policy.js';
import { EngineModule } from './engine/engine.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { ServerApiModule } from './server-api/server-api.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { OpsModule } from './ops/ops.module.js';
import { GracefulShutdownService } from './process/graceful-shutdown.service.js';
import { TransportModule } from './transport/transport.module.js';
import { WebModule } from './web/web.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/**
 * How a host provides one of Switchboard's extension points: a Nest provider without `provide`, its
 * class, factory (with `inject`) or existing provider resolved among the module's `imports` and the
 * host's global modules.
 */
export type ExtensionProvider<T> =
  | { useClass: Type<T> }
  | { useExisting: InjectionToken }
  | {
      useFactory: (...args: any[]) => T | Promise<T>;
      inject?: Array<InjectionToken | OptionalFactoryDependency>;
    };

/** What `forRoot` and `forRootAsync` take beside the options: the extension points and, for `forRoot`, `imports`. */
export interface SwitchboardExtensions {
  /** Who is connecting, from the upgrade request; default: JWT, or dev mode without a JWT key. */
  identityProvider?: ExtensionProvider<IdentityProvider>;
  /** Who may enter and send in which room; default: `private:…` rooms by the identity's room claims. */
  roomPolicy?: ExtensionProvider<RoomPolicy>;
  /** Modules whose providers the extension points inject (`forRootAsync` has its own `imports`). */
  imports?: ModuleMetadata['imports'];
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<SwitchboardOptions>({ moduleName: 'Switchboard' })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createSwitchboardOptions')
    .setExtras<SwitchboardExtensions>(
      { identityProvider: undefined, roomPolicy: undefined, imports: undefined },
      withExtensions,
    )
    .build();

/** What `SwitchboardModule.forRoot` takes: the options themselves, and the extension points. */
export type SwitchboardModuleOptions = typeof OPTIONS_TYPE;

/**
 * What `SwitchboardModule.forRootAsync` takes: `imports`, `inject` and `useFactory`, or `useClass` or
 * `useExisting` naming a class with `createSwitchboardOptions()`; and the extension points.
 */
export type SwitchboardModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

/**
 * The whole chat service as one importable module: `forRoot(options)` or `forRootAsync({ imports, inject,
 * useFactory })`, each taking the host's `identityProvider` and `roomPolicy` when it has its own. The
 * options are validated once at boot into the settings every layer injects under `appConfig.KEY` (a bad
 * or unknown key refuses the boot, naming it); call `useSwitchboard(app)` before `app.init()` or `listen()`.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          // Tokens travel in these; never log them.
          redact: [
            'req.headers.authorization',
            'req.headers.cookie',
            'req.query.access_token',
            'req.headers["sec-websocket-protocol"]',
          ],
          autoLogging: false,
        },
        // No route binds a request logger: that runs each request in an AsyncLocalStorage, and on Node 20 the
        // first one installs an async hook that then runs for every promise the process creates (sockets too).
        forRoutes: [],
      }),
    }),
    ObservabilityModule,
    WebhooksModule,
    EngineModule,
    RedisCacheModule,
    TransportModule,
    AuthModule,
    DomainModule,
    PublisherModule,
    GatewayModule,
    OpsModule,
    WebModule,
    AsyncApiModule,
    ServerApiModule,
  ],
  providers: [
    { provide: appConfig.KEY, inject: [MODULE_OPTIONS_TOKEN], useFactory: parseOptions },
    GracefulShutdownService,
  ],
  // ChatPublisher (through PublisherModule) and the two extension points, for the host's own providers
  // and controllers anywhere (the module is global).
  exports: [appConfig.KEY, PublisherModule, IdentityProvider, RoomPolicy],
})
export class SwitchboardModule extends ConfigurableModuleClass {
  /** The service configured with `options`; keys left out take their defaults. */
  static forRoot(options: SwitchboardModuleOptions): DynamicModule {
    return asGlobal(super.forRoot(options));
  }

  /** The service configured with options a factory of the host makes (from its own config, say). */
  static forRootAsync(options: SwitchboardModuleAsyncOptions): DynamicModule {
    return asGlobal(super.forRootAsync(options));
  }
}

/** Every layer's module injects the settings; global, so that each finds them without importing this one. */
function asGlobal(module: DynamicModule): DynamicModule {
  return { ...module, global: true };
}

/** The extension points as providers (the host's, else the defaults) and the modules they inject from. */
function withExtensions(module: DynamicModule, extensions: SwitchboardExtensions): DynamicModule {
  return {
    ...module,
    imports: [...(module.imports ?? []), ...(extensions.imports ?? [])],
    providers: [
      ...(module.providers ?? []),
      extension(
        IdentityProvider,
        extensions.identityProvider ?? { useClass: DefaultIdentityProvider },
      ),
      extension(RoomPolicy, extensions.roomPolicy ?? { useClass: DefaultRoomPolicy }),
    ],
  };
}

function extension<T>(token: abstract new () => T, given: ExtensionProvider<T>): Provider {
  return { provide: token, ...given } as Provider;
}
