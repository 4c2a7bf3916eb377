import type { User } from '../protocol/chat.events.js';

/** Who is on the other end of a socket, settled once at the upgrade. */
export interface Identity {
  user: User;
  /** Room patterns from the token's `rooms` claim; a trailing `*` matches any suffix. */
  roomClaims: readonly string[];
  /** When the token expires (ms since the epoch), if it does. */
  expiresAt?: number;
}
