import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { connectionIn } from '../transport/chat-connection.js';

/** Handler parameter: the `ChatConnection` that sent the event (its user, rooms and send). */
export const CurrentConnection = createParamDecorator((_: unknown, context: ExecutionContext) =>
  connectionIn(context),
);
