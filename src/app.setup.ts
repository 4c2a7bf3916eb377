import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { Logger } from 'nestjs-pino';
import { appConfig, type AppConfig } from './config/app-config.js';
import { useSwitchboard } from './switchboard.setup.js';
import { securityHeaders } from './web/security-headers.js';

/** Everything `main.ts` does to an app before listening; e2e tests call it too, so they run what ships. */
export function configureApp(app: INestApplication): INestApplication {
  const logger = app.get(Logger);
  app.useLogger(logger);
  const config = app.get<AppConfig>(appConfig.KEY);
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.use(securityHeaders(config.ASSET_BASE_URL));
  useSwitchboard(app);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
