import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';

/** The outcome label of a handled event: `ok`, or the error code the client will see. */
export function outcomeOf(error?: unknown): string {
  if (error === undefined) return 'ok';
  return error instanceof ChatException ? error.code : ChatErrorCode.Internal;
}
