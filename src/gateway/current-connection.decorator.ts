import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { sessionIn } from './session-in.js';

/** Handler parameter: the `ChatSession` that sent the event (its user, rooms and send). */
export const CurrentConnection = createParamDecorator((_: unknown, context: ExecutionContext) =>
  sessionIn(context),
);
