import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ChatConnection } from './chat-connection.js';

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
  private readonly byRoom = new Map<string, Set<ChatConnection>>();

  /** A fresh connection id. */
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
    addTo(this.byUser, connection.user.id, connection);
  }

  /** Forgets a closed connection everywhere. */
  remove(connection: ChatConnection): void {
    this.connections.delete(connection);
    removeFrom(this.byUser, connection.user.id, connection);
    for (const room of connection.rooms) removeFrom(this.byRoom, room, connection);
  }

  /** Indexes a connection under a room it joined. */
  addToRoom(room: string, connection: ChatConnection): void {
    addTo(this.byRoom, room, connection);
  }

  /** Removes a connection from a room's index; returns how many local connections remain in it. */
  removeFromRoom(room: string, connection: ChatConnection): number {
    return removeFrom(this.byRoom, room, connection);
  }

  /** The local connections in a room. */
  inRoom(room: string): ReadonlySet<ChatConnection> | undefined {
    return this.byRoom.get(room);
  }

  /** The local connections of a user. */
  ofUser(userId: string): ReadonlySet<ChatConnection> | undefined {
    return this.byUser.get(userId);
  }
}

function addTo(
  index: Map<string, Set<ChatConnection>>,
  key: string,
  connection: ChatConnection,
): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom(
  index: Map<string, Set<ChatConnection>>,
  key: string,
  connection: ChatConnection,
): number {
  const set = index.get(key);
  if (!set) return 0;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
  return set.size;
}
