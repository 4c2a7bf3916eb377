import type { User } from '../protocol/chat.events.js';

/**
 * Who is on the other end of a socket, settled once at the upgrade by the `IdentityProvider`; the same
 * object reaches the `RoomPolicy` at every join and send, so a host's provider may return a subtype
 * carrying its own fields.
 */
export interface Identity {
  /** The user as others see them: `id` (1 to 64 characters) and a display name. */
  user: User;
  /** Room patterns from the token's `rooms` claim, read by the default room policy; a trailing `*` matches any suffix. */
  roomClaims?: readonly string[];
  /**
   * The user's roles (the token's `roles` claim by default, or what a host's provider sets), for room
   * policies and moderation: the role `moderator` marks a moderator.
   */
  roles?: readonly string[];
  /** When the identity stops being valid (ms since the epoch), if it does: the socket is then closed with 4001. */
  expiresAt?: number;
}
