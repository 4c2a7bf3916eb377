import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { connectionOf } from '../transport/chat-connection.js';

/** Handler parameter: the `ChatConnection` that sent the event (its user, rooms and send). */
export const CurrentConnection = createParamDecorator((_: unknown, context: ExecutionContext) =>
  connectionOf(context.switchToWs().getClient<WebSocket>()),
);
