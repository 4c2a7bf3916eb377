import { ChatErrorCode } from '../protocol/chat-error-code.js';

/** A domain failure that the exception filter turns into an `error` frame with `code`. */
export class ChatException extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ChatException';
  }
}
