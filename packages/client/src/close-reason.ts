import { CloseCode } from '../../../src/protocol/close-code.js';

/** Why a connection ended, as the app is told in `disconnected` and `closed` states. */
export type DisconnectReason =
  /** 1000: the server ended the session. */
  | 'normal'
  /** 1001: the node is shutting down. */
  | 'going_away'
  /** 1006: the connection dropped (network, a killed node, or in a browser a refused handshake). */
  | 'network'
  /** 1007: the client sent invalid UTF-8. */
  | 'invalid_payload'
  /** 1008: policy violation (sustained flooding). */
  | 'policy_violation'
  /** 1009: a frame too big. */
  | 'too_big'
  /** 1011: a server fault. */
  | 'server_error'
  /** 1013: the socket fell behind, or the node is overloaded. */
  | 'overloaded'
  /** 4001: the access token expired. */
  | 'token_expired'
  /** 4003: the app's server disconnected this user (signed out, banned). */
  | 'server_disconnect'
  /** The handshake was refused with 401. */
  | 'unauthorized'
  /** The handshake was refused with 403 (origin not allowed). */
  | 'forbidden'
  /** The handshake was refused with another status (503, 429, ...). */
  | 'refused'
  /** In a browser: `maxFailuresBeforeOpen` attempts in a row failed before the socket opened. */
  | 'unreachable'
  /** The browser went offline. */
  | 'offline'
  /** Nothing arrived from the server within `heartbeat.timeoutMs` after a `ping`: a dead connection. */
  | 'heartbeat_timeout'
  /** `close()` was called. */
  | 'client_closed'
  /** Any other close code. */
  | 'unknown';

/** What to do after a connection ended. */
export type ReconnectRule = 'backoff' | 'fresh_token' | 'never';

/** The reason and rule for a close code (RFC 6455 and Switchboard's own, from `CloseCode`). */
export function closeReason(code: number): { reason: DisconnectReason; rule: ReconnectRule } {
  switch (code) {
    case CloseCode.Normal:
      return { reason: 'normal', rule: 'never' };
    case CloseCode.GoingAway:
      return { reason: 'going_away', rule: 'backoff' };
    case CloseCode.InvalidPayload:
      return { reason: 'invalid_payload', rule: 'never' };
    case CloseCode.PolicyViolation:
      return { reason: 'policy_violation', rule: 'never' };
    case CloseCode.MessageTooBig:
      return { reason: 'too_big', rule: 'backoff' };
    case CloseCode.InternalError:
      return { reason: 'server_error', rule: 'backoff' };
    case CloseCode.TryAgainLater:
      return { reason: 'overloaded', rule: 'backoff' };
    case CloseCode.TokenExpired:
      return { reason: 'token_expired', rule: 'fresh_token' };
    case CloseCode.ServerDisconnect:
      return { reason: 'server_disconnect', rule: 'never' };
    case 1006:
      return { reason: 'network', rule: 'backoff' };
    default:
      return { reason: 'unknown', rule: 'backoff' };
  }
}

/** The reason and rule for a handshake refused with this HTTP status. */
export function refusalReason(status: number): { reason: DisconnectReason; rule: ReconnectRule } {
  if (status === 401) return { reason: 'unauthorized', rule: 'never' };
  if (status === 403) return { reason: 'forbidden', rule: 'never' };
  return { reason: 'refused', rule: 'backoff' };
}

/** The HTTP status of a refused handshake, when the error says it (`ws` in Node does; browsers never do). */
export function refusedStatus(event: unknown): number | undefined {
  const e = event as { message?: unknown; error?: { message?: unknown } } | null;
  const text = typeof e?.message === 'string' ? e.message : e?.error?.message;
  const match = typeof text === 'string' ? /Unexpected server response: (\d{3})/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}
