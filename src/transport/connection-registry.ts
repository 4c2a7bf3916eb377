import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { RoomHeads } from '../cache/room-heads.js';
import type { NodeSessions } from '../engine/node-sessions.js';
import type { SessionDirectory } from '../domain/session.js';
import type { ChatConnection } from './chat-connection.js';

/** A user's connections on this node: the connection itself while it is the only one (most users), else a Set. */
type UserConnections = ChatConnection | Set<ChatConnection>;

const NONE: readonly ChatConnection[] = [];

/**
 * The sockets on this node, indexed by user and by room: what a fan-out walks. It is the domain's
 * `SessionDirectory` and the engine's `NodeSessions` (see `TransportModule`).
 */
@Injectable()
export class ConnectionRegistry implements SessionDirectory, NodeSessions {
  /** Random per process, so connection ids never repeat across nodes or restarts. */
  readonly nodeId = randomBytes(6).toString('hex');
  /** False once shutdown began: new upgrades are refused with 503. */
  accepting = true;
  private sequence = 0;
  /** Flat and shared, so that each id is one short string on top of it. */
  private readonly idPrefix = `${this.nodeId}.`;
  /** Open connections; they are listed by user alone (one index entry per socket less). */
  private count = 0;
  /** Without a Set for a user's one connection: a Set costs about 200 bytes, and every idle socket pays it. */
  private readonly byUser = new Map<string, UserConnections>();
  private readonly byRoom = new Map<string, Set<ChatConnection>>();

  constructor(private readonly heads: RoomHeads) {}

  /** A fresh connection id: `<nodeId>.<sequence>`. */
  nextId(): string {
    return this.idPrefix + (this.sequence += 1).toString(36);
  }

  /** Number of open connections on this node. */
  get size(): number {
    return this.count;
  }

  /** Every connection on this node. */
  *all(): Iterable<ChatConnection> {
    for (const held of this.byUser.values()) {
      if (held instanceof Set) yield* held;
      else yield held;
    }
  }

  /** Registers a new connection under its user. */
  add(connection: ChatConnection): void {
    const userId = connection.user.id;
    const held = this.byUser.get(userId);
    if (held === connection || (held instanceof Set && held.has(connection))) return;
    this.count += 1;
    if (held === undefined) this.byUser.set(userId, connection);
    else if (held instanceof Set) held.add(connection);
    else this.byUser.set(userId, new Set([held, connection]));
  }

  /** Forgets a closed connection everywhere. */
  remove(connection: ChatConnection): void {
    const userId = connection.user.id;
    const held = this.byUser.get(userId);
    if (held === connection) {
      this.count -= 1;
      this.byUser.delete(userId);
    } else if (held instanceof Set && held.delete(connection)) {
      this.count -= 1;
      // Back to the connection itself once it is the only one left.
      if (held.size === 1) this.byUser.set(userId, held.values().next().value!);
      else if (held.size === 0) this.byUser.delete(userId);
    }
    for (const room of connection.rooms) this.removeFromRoom(room, connection);
  }

  /** Indexes a connection under a room it joined; returns how many local connections are now in it. */
  addToRoom(room: string, connection: ChatConnection): number {
    let local = this.byRoom.get(room);
    if (!local) {
      this.byRoom.set(room, (local = new Set()));
      this.heads.follow(room);
    }
    local.add(connection);
    return local.size;
  }

  /** Removes a connection from a room's index; returns how many local connections remain in it. */
  removeFromRoom(room: string, connection: ChatConnection): number {
    const local = this.byRoom.get(room);
    if (!local) return 0;
    local.delete(connection);
    if (local.size === 0) {
      this.byRoom.delete(room);
      this.heads.forget(room);
    }
    return local.size;
  }

  /** The local connections in a room. */
  inRoom(room: string): ReadonlySet<ChatConnection> | undefined {
    return this.byRoom.get(room);
  }

  /** Whether this node has a socket in `room`. */
  hasRoom(room: string): boolean {
    return this.byRoom.has(room);
  }

  /** The local connections of a user. */
  ofUser(userId: string): Iterable<ChatConnection> {
    const held = this.byUser.get(userId);
    if (held === undefined) return NONE;
    return held instanceof Set ? held : [held];
  }
}
