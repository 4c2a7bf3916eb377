import { ChatErrorCode } from './chat-error-code.js';
import { CloseCode } from './close-code.js';

/**
 * What each error code means and what the client should do, as data for the contract's document: the doc
 * line of each `ChatErrorCode` member, word for word (`code-meanings.spec.ts` compares them).
 */
export const ERROR_CODE_MEANINGS: Record<ChatErrorCode, string> = {
  [ChatErrorCode.BadRequest]:
    'The frame is not JSON, not an envelope, or its `data` is not an object. Fix the client.',
  [ChatErrorCode.UnknownEvent]:
    'No handler for that `event`. Fix the client, or the server lacks the extension.',
  [ChatErrorCode.ValidationFailed]:
    'A field is missing or out of bounds; `details` lists each one. Fix the request.',
  [ChatErrorCode.NotInRoom]:
    'message, typing or history for a room this socket has not joined. Join first.',
  [ChatErrorCode.Forbidden]:
    'A room the user may not enter or send in (private room without the claim, the host room policy refusing, too many rooms, a ban or a mute: `details.until`), a message that is not theirs to change, or a moderation event without the moderator role.',
  [ChatErrorCode.RateLimited]:
    "Over the per-connection rate, the user's rate or a room's slow mode; `details.retryAfterMs` says when to try again.",
  [ChatErrorCode.NotFound]:
    'An id that names no message of that conversation (`read`, `edit`, `delete`). Fix the request; the socket stays open.',
  [ChatErrorCode.Unavailable]:
    'The message could not be stored; retry later with the same `clientMsgId`. Also the answer, for good, to `conversations`, `read`, `edit`, `delete` and `history` with `with` on a node without a database.',
  [ChatErrorCode.Internal]:
    'A server fault; nothing about it is shown to the client. Retrying may help.',
};

/**
 * What each close code means and whether to reconnect, as data for the contract's document: the doc line
 * of each `CloseCode` member, word for word (`code-meanings.spec.ts` compares them).
 */
export const CLOSE_CODE_MEANINGS: Record<CloseCode, string> = {
  [CloseCode.Normal]:
    'The server or client ended the session normally. Do not reconnect automatically.',
  [CloseCode.GoingAway]:
    'This node is shutting down. Reconnect at once; the load balancer picks another node.',
  [CloseCode.InvalidPayload]:
    'A text frame that is not valid UTF-8 (closed by the ws library, RFC 6455). Fix the client.',
  [CloseCode.PolicyViolation]:
    'Policy violation, such as sustained flooding past the rate limit. Do not reconnect automatically: the client misbehaves.',
  [CloseCode.MessageTooBig]:
    'An inbound frame exceeded MAX_FRAME_BYTES. Reconnect and send smaller frames.',
  [CloseCode.InternalError]: 'A server fault on this connection. Reconnect with backoff.',
  [CloseCode.TryAgainLater]:
    'The socket fell behind (send buffer past SLOW_CONSUMER_BYTES) or the node is overloaded. Reconnect with backoff and resume with `since`.',
  [CloseCode.TokenExpired]: 'The access token expired. Reconnect with a fresh token.',
  [CloseCode.ServerDisconnect]:
    "The host's server disconnected this user (signed out, banned, account closed), or a moderator banned them from the service. Do not reconnect automatically.",
};
