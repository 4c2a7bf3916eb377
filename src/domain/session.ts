import type { Identity } from '../auth/identity.js';
import type { UserCommand } from '../engine/broker.js';
import type { CloseCode } from '../protocol/close-code.js';
import type { User } from '../protocol/chat.events.js';

/** The rooms a session is in: what the domain reads and changes of them (a `Set<string>` is one). */
export interface SessionRooms extends Iterable<string> {
  readonly size: number;
  has(room: string): boolean;
  add(room: string): unknown;
  /** True when the room was there. */
  delete(room: string): boolean;
}

/**
 * One client's socket as the domain and the gateway see it: who it is, which rooms it is in, and a
 * bounded, ordered way to write to it. The domain owns this port; the transport's `ChatConnection`
 * implements it, and it is what gateway handlers, guards, filters and `@ConnectedSocket()` receive.
 */
export interface ChatSession {
  /** Unique across nodes and restarts: lets a fan-out on any node skip the sender. */
  readonly id: string;
  /** The user behind the socket. */
  readonly user: User;
  /** Who is on the other end, settled at the upgrade: the user, room claims, token expiry. */
  readonly identity: Identity;
  /** Rooms this socket has joined. */
  readonly rooms: SessionRooms;
  /** Whether refused frames still get an answer (not past RATE_LIMIT_SILENT_AFTER, not closing). */
  readonly answersRefusals: boolean;
  /** Writes one serialized frame after the frames already written this turn; false when the socket cannot take it. */
  send(frame: Buffer | string): boolean;
  /** Spends one rate token: 0 when granted, else the wait in ms (the refusal counted). */
  takeRateToken(): number;
  /** Starts holding a room's live frames while its join reads history. */
  beginJoin(room: string): void;
  /** Sends the frames held during a join that `isNewer` keeps, and stops holding. */
  endJoin(room: string, isNewer: (id: string) => boolean): void;
  /** Closes the socket with a documented code, after the frames this turn held for it. */
  close(code: CloseCode, reason: string): void;
}

/**
 * This node's sessions by room, as the domain needs them: indexing a session under a room it joined and
 * taking it out again, each telling how many sessions of this node are then in that room.
 */
export abstract class SessionDirectory {
  /** Indexes a session under a room it joined; returns how many local sessions are now in it. */
  abstract addToRoom(room: string, session: ChatSession): number;
  /** Removes a session from a room's index; returns how many local sessions remain in it. */
  abstract removeFromRoom(room: string, session: ChatSession): number;
  /** The local sessions of a user. */
  abstract ofUser(userId: string): Iterable<ChatSession>;
}

/**
 * Carries out on this node's sockets what the server asked of a user on every node (`ChatPublisher`'s
 * leave and disconnect): the domain provides it, the fan-out calls it for each command the broker brings.
 */
export abstract class SessionCommands {
  /** Applies one command to every local session of `userId` (none: nothing to do). */
  abstract apply(userId: string, command: UserCommand): void;
}

/**
 * Whether a user may open a socket at all, asked at every upgrade once the identity is settled (a ban from
 * the service refuses it with 403): the domain provides it, the transport asks it.
 */
export abstract class ConnectionAdmission {
  /** Why the user may not connect now (the 403's reason), or undefined; synchronous, read per upgrade. */
  abstract connectionRefusal(userId: string): string | undefined;
}
