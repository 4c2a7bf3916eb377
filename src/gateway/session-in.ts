import type { ArgumentsHost } from '@nestjs/common';
import type { ChatSession } from '../domain/session.js';

/** The session that sent the event a guard, interceptor, filter or parameter decorator is looking at. */
export function sessionIn(context: ArgumentsHost): ChatSession {
  // The adapter hands Nest the session as the ws "client", its first argument; reading it directly
  // spares `switchToWs()`, which builds three closures per call.
  return context.getArgByIndex<ChatSession>(0);
}

/** The event (pattern) of the frame a guard or interceptor is looking at: the last argument of a ws context. */
export function eventIn(context: ArgumentsHost): string {
  // As `switchToWs().getPattern()` reads it, without the three closures `switchToWs()` builds per call.
  return context.getArgByIndex<string>(context.getArgs().length - 1);
}
