import type { User } from '../protocol/chat.events.js';

/** Which users are in which rooms, counted per user however many sockets they have. */
export abstract class PresenceStore {
  private sweptListener: ((room: string, user: User, size: number) => void) | undefined;

  /**
   * Calls `listener` for each user a sweep took out of a room (the sockets of a node that died), with the
   * room's members left; one node sweeps a dead one, so each removal is reported once in the cluster.
   */
  onSwept(listener: (room: string, user: User, size: number) => void): void {
    this.sweptListener = listener;
  }

  /** Reports a user a sweep took out of a room to the listener, if any. */
  protected swept(room: string, user: User, size: number): void {
    this.sweptListener?.(room, user, size);
  }

  /** Adds a socket of a user to a room; `first` is true when the user was not in it before. */
  abstract join(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ first: boolean; size: number }>;
  /** Removes a socket; `last` is true when the user has no socket left in the room. */
  abstract leave(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ last: boolean; size: number }>;
  /** The users in a room. */
  abstract members(room: string): Promise<User[]>;
  /** How many users are in a room, without listing them. */
  abstract count(room: string): Promise<number>;
}
