import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { ChatWsAdapter } from './transport/chat-ws-adapter.js';

/**
 * What an app importing `SwitchboardModule` does once, before `init()` or `listen()`: gives the
 * gateways Switchboard's WebSocket adapter (the wire contract, upgrade limits, liveness) on the app's
 * HTTP server.
 */
export function useSwitchboard<App extends INestApplication>(app: App): App {
  app.useWebSocketAdapter(new ChatWsAdapter(app, app.get(Logger)));
  return app;
}
