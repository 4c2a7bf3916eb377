import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ChatConnection } from './chat-connection.js';

/** What this node knows of a room while it has sockets in it. */
interface LocalRoom {
  connections: Set<ChatConnection>;
  /** Id of the last message fanned out here ('' once known to be empty); unset until known. */
  head?: string;
  /** Counts messages fanned out, so a reader can tell whether any arrived while it read. */
  version: number;
}

/** A room's head as this node knows it. */
export interface RoomHead {
  head?: string;
  version: number;
}

/** The sockets on this node, indexed by user and by room: what a fan-out walks. */
@Injectable()
export class ConnectionRegistry {
  /** Random per process, so connection ids never repeat across nodes or restarts. */
  readonly nodeId = randomBytes(6).toString('hex');
  /** False once shutdown began: new upgrades are refused with 503. */
  accepting = true;
  private sequence = 0;
  private readonly connections = new Set<ChatConnection>();
  private readonly byUser = new Map<string, Set<ChatConnection>>();
  private readonly byRoom = new Map<string, LocalRoom>();

  /** A fresh connection id: `<nodeId>.<sequence>`. */
  nextId(): string {
    return `${this.nodeId}.${(this.sequence += 1).toString(36)}`;
  }

  /** Number of open connections on this node. */
  get size(): number {
    return this.connections.size;
  }

  /** Every connection on this node. */
  all(): Iterable<ChatConnection> {
    return this.connections;
  }

  /** Registers a new connection under its user. */
  add(connection: ChatConnection): void {
    this.connections.add(connection);
    let sockets = this.byUser.get(connection.user.id);
    if (!sockets) this.byUser.set(connection.user.id, (sockets = new Set()));
    sockets.add(connection);
  }

  /** Forgets a closed connection everywhere. */
  remove(connection: ChatConnection): void {
    this.connections.delete(connection);
    const sockets = this.byUser.get(connection.user.id);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.byUser.delete(connection.user.id);
    for (const room of connection.rooms) this.removeFromRoom(room, connection);
  }

  /** Indexes a connection under a room it joined. */
  addToRoom(room: string, connection: ChatConnection): void {
    let local = this.byRoom.get(room);
    if (!local) this.byRoom.set(room, (local = { connections: new Set(), version: 0 }));
    local.connections.add(connection);
  }

  /** Removes a connection from a room's index; returns how many local connections remain in it. */
  removeFromRoom(room: string, connection: ChatConnection): number {
    const local = this.byRoom.get(room);
    if (!local) return 0;
    local.connections.delete(connection);
    // With no socket left this node stops hearing the room, so what it knew of its head goes too.
    if (local.connections.size === 0) this.byRoom.delete(room);
    return local.connections.size;
  }

  /** The local connections in a room. */
  inRoom(room: string): ReadonlySet<ChatConnection> | undefined {
    return this.byRoom.get(room)?.connections;
  }

  /** The local connections of a user. */
  ofUser(userId: string): ReadonlySet<ChatConnection> | undefined {
    return this.byUser.get(userId);
  }

  /** The last message id fanned out to a room here, while this node has sockets in it. */
  roomHead(room: string): RoomHead | undefined {
    const local = this.byRoom.get(room);
    return local && { head: local.head, version: local.version };
  }

  /** Records a message fanned out to a room. */
  recordMessage(room: string, id: string): void {
    const local = this.byRoom.get(room);
    if (!local) return;
    local.head = id;
    local.version += 1;
  }

  /** Sets a room's head from a fresh read of its history, unless a message arrived since `version`. */
  learnHead(room: string, head: string, version: number): void {
    const local = this.byRoom.get(room);
    if (local && local.version === version) local.head = head;
  }
}
