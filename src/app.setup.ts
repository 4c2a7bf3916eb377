import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { ChatWsAdapter } from './transport/chat-ws-adapter.js';

/** Everything `main.ts` does to an app before listening; e2e tests call it too, so they run what ships. */
export function configureApp(app: INestApplication): INestApplication {
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useWebSocketAdapter(new ChatWsAdapter(app, logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
}
