import type { ChatErrorCode } from '../../../src/protocol/chat-error-code.js';

/** Why a request failed on the client's side, besides the server's own error codes. */
export type ClientFailure =
  /** No reply within the request's timeout. */
  | 'timeout'
  /** The socket dropped before the reply came; the request may or may not have been carried out. */
  | 'disconnected'
  /** The client was closed for good (by `close()`, or a close code that forbids reconnecting). */
  | 'closed';

/** A failed request: the server's `error` code (with its `details`) or a `ClientFailure`. */
export class SwitchboardError extends Error {
  constructor(
    readonly code: ChatErrorCode | ClientFailure,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}
