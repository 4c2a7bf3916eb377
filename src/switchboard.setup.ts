import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { appConfig, type AppConfig } from './config/app-config.js';
import { setUpServerApi } from './server-api/server-api-setup.js';
import { ChatWsAdapter } from './transport/chat-ws-adapter.js';

/**
 * What an app importing `SwitchboardModule` does once, before `init()` or `listen()`: gives the
 * gateways Switchboard's WebSocket adapter (the wire contract, upgrade limits, liveness) on the app's
 * HTTP server; and mounts the server HTTP API's body reader and its docs (`/api/docs`,
 * `/api/v1/openapi.json`) when SERVER_API_KEYS names a key.
 */
export function useSwitchboard<App extends INestApplication>(app: App): App {
  app.useWebSocketAdapter(new ChatWsAdapter(app, app.get(Logger)));
  setUpServerApi(app, app.get<AppConfig>(appConfig.KEY));
  return app;
}
