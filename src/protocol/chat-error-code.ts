/** The closed list of `error.code` values a client can receive; the socket stays open for all of them. */
export enum ChatErrorCode {
  /** The frame is not JSON, not an envelope, or its `data` is not an object. Fix the client. */
  BadRequest = 'bad_request',
  /** No handler for that `event`. Fix the client, or the server lacks the extension. */
  UnknownEvent = 'unknown_event',
  /** A field is missing or out of bounds; `details` lists each one. Fix the request. */
  ValidationFailed = 'validation_failed',
  /** message, typing or history for a room this socket has not joined. Join first. */
  NotInRoom = 'not_in_room',
  /** A room the user may not enter or send in (private room without the claim, the host room policy refusing, too many rooms, a ban or a mute: `details.until`), a message that is not theirs to change, or a moderation event without the moderator role. */
  Forbidden = 'forbidden',
  /** Over the per-connection rate, the user's rate or a room's slow mode; `details.retryAfterMs` says when to try again. */
  RateLimited = 'rate_limited',
  /** An id that names no message of that conversation (`read`, `edit`, `delete`). Fix the request; the socket stays open. */
  NotFound = 'not_found',
  /**
   * The message could not be stored; retry later with the same `clientMsgId`. Also the answer, for good,
   * to `conversations`, `read`, `edit`, `delete` and `history` with `with` on a node without a database.
   */
  Unavailable = 'unavailable',
  /** A server fault; nothing about it is shown to the client. Retrying may help. */
  Internal = 'internal',
}
