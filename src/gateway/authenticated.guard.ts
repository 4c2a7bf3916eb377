import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { CloseCode } from '../protocol/close-code.js';
import { sessionIn } from './session-in.js';

/** Lets an event through only from a socket whose identity is still valid; an expired token closes it with 4001. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const connection = sessionIn(context);
    const { expiresAt } = connection.identity;
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      // The expiry timer may not have fired yet on a busy loop; no event may slip through meanwhile.
      connection.close(CloseCode.TokenExpired, 'token expired');
      throw new ChatException(ChatErrorCode.Forbidden, 'token expired');
    }
    return true;
  }
}
