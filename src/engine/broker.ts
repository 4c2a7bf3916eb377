import type { ServerEvents, User } from '../protocol/chat.events.js';

/** A frame whose event the host named (`ChatPublisher`'s custom events), serialized once by the domain, written as is. */
export interface CustomFrame {
  /** The whole frame's JSON text, `{"event":…,"data":…}`. */
  frame: string;
}

/**
 * What the server asks of every socket of a user, on every node: leave a room, or close. The engine only
 * carries it; the domain carries it out on each node's sockets.
 */
export type UserCommand =
  { command: 'leave'; room: string } | { command: 'disconnect'; reason: string };

/** One frame to fan out to the sockets of a room, on every node. */
export interface RoomDelivery {
  target: 'room';
  room: string;
  event:
    'message' | 'presence' | 'typing' | 'edited' | 'deleted' | 'receipt' | 'moderation' | 'custom';
  data:
    | CustomFrame
    | ServerEvents['moderation']
    | ServerEvents['message']
    | ServerEvents['presence']
    | ServerEvents['typing']
    | ServerEvents['edited']
    | ServerEvents['deleted']
    | ServerEvents['receipt'];
  /**
   * The id of the log entry (a message, or an edit or deletion's own entry), for ordering against history
   * during a join and for the recent-history cache; absent for presence, typing and receipts.
   */
  id?: string;
  /**
   * The id stored just before this message in the room (its log's previous entry), when the store knows
   * it: a node that delivered another one last missed something, and reads it back with `between`.
   */
  prev?: string;
  /** The connection that caused it, which does not receive it. */
  exclude?: string;
  /** A user none of whose sockets receive it (a reader does not get their own receipt). */
  excludeUser?: string;
}

/** One frame (or, for `command`, an action) for every socket of some users, on every node. */
export interface UserDelivery {
  target: 'user';
  userIds: string[];
  event: 'dm' | 'edited' | 'deleted' | 'read' | 'receipt' | 'moderated' | 'custom' | 'command';
  data:
    | CustomFrame
    | ServerEvents['moderated']
    | UserCommand
    | ServerEvents['dm']
    | ServerEvents['edited']
    | ServerEvents['deleted']
    | ServerEvents['read']
    | ServerEvents['receipt'];
  exclude?: string;
}

/** Anything the broker carries. */
export type Delivery = RoomDelivery | UserDelivery;

/** Carries deliveries to every node (memory: this one), in publish order. */
export abstract class Broker {
  /** Publishes a batch; every node's listener receives it in this order. */
  abstract publish(batch: readonly Delivery[]): Promise<void>;
  /** Sets the one listener that fans deliveries out to this node's sockets. */
  abstract listen(listener: (batch: readonly Delivery[]) => void): void;
  /** Tells the broker this node now has members in a room (Redis subscribes to it). */
  abstract watchRoom(room: string): Promise<void>;
  /** Tells the broker this node has no members left in a room. */
  abstract unwatchRoom(room: string): Promise<void>;
  /**
   * Counts one more socket of a user on this node; resolves once their direct messages reach this node, or
   * returns nothing when they already do (one node: no subscription to wait for, and no promise to pay).
   */
  watchUser(_userId: string): Promise<void> | void {}
  /** Counts one socket of a user less; the last one stops their direct messages reaching this node. */
  async unwatchUser(_userId: string): Promise<void> {}
  /** Whether deliveries reach every node now (for /health/ready). */
  async isReady(): Promise<boolean> {
    return true;
  }
}

/**
 * Who hears a room's presence: its sockets, but for the default room only the sockets that joined it with
 * `join` (its watchers, indexed and fanned out under this key, which no valid room name can be). Every
 * socket is put in the default room on connect; one that never asks for its member list pays nothing.
 */
export function presenceAudience(room: string, defaultRoom: string): string {
  return room === defaultRoom ? `~presence:${room}` : room;
}

/**
 * A `presence` event for a room, to its audience (see presenceAudience: the default room's goes to its
 * watchers), skipping the connection that caused it if any.
 */
export function presenceDelivery(
  room: string,
  user: User,
  action: 'join' | 'leave',
  defaultRoom: string,
  exclude?: string,
): RoomDelivery {
  return {
    target: 'room',
    room: presenceAudience(room, defaultRoom),
    event: 'presence',
    data: { room, user, action },
    exclude,
  };
}
