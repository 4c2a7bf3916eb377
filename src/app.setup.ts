import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { Express } from 'express';
import { Logger } from 'nestjs-pino';
import { appConfig, type AppConfig } from './config/app-config.js';
import { ChatWsAdapter } from './transport/chat-ws-adapter.js';
import { securityHeaders } from './web/security-headers.js';

/**
 * Options every app is created with (`main.ts` and e2e tests). `forceCloseConnections` cuts every
 * connection still open when the HTTP server closes (idle keep-alive, a client that never sent a request,
 * a half-sent upgrade), so that shutdown ends within SHUTDOWN_TIMEOUT_MS whatever clients do.
 */
export const APP_OPTIONS = { forceCloseConnections: true } satisfies NestApplicationOptions;

/** Everything `main.ts` does to an app before listening; e2e tests call it too, so they run what ships. */
export function configureApp(app: INestApplication): INestApplication {
  const logger = app.get(Logger);
  app.useLogger(logger);
  const config = app.get<AppConfig>(appConfig.KEY);
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.use(securityHeaders(config.ASSET_BASE_URL));
  app.useWebSocketAdapter(new ChatWsAdapter(app, logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
