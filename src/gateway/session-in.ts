import type { ArgumentsHost } from '@nestjs/common';
import type { ChatSession } from '../domain/session.js';

/** The session that sent the event a guard, interceptor, filter or parameter decorator is looking at. */
export function sessionIn(context: ArgumentsHost): ChatSession {
  // The adapter hands Nest the session as the ws "client", its first argument; reading it directly
  // spares `switchToWs()`, which builds three closures per call.
  return context.getArgByIndex<ChatSession>(0);
}
