import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { AsyncApiModule } from './asyncapi/asyncapi.module.js';
import { AuthModule } from './auth/auth.module.js';
import { RedisCacheModule } from './cache/redis-cache.module.js';
import { appConfig, type AppConfig } from './config/app-config.js';
import { EngineModule } from './engine/engine.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { DomainModule } from './domain/domain.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { OpsModule } from './ops/ops.module.js';
import { GracefulShutdownService } from './process/graceful-shutdown.service.js';
import { TransportModule } from './transport/transport.module.js';
import { WebModule } from './web/web.module.js';

/** The whole service. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig], cache: true }),
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
    EngineModule,
    RedisCacheModule,
    TransportModule,
    AuthModule,
    DomainModule,
    GatewayModule,
    OpsModule,
    WebModule,
    AsyncApiModule,
  ],
  providers: [GracefulShutdownService],
})
export class AppModule {}
