import { Injectable } from '@nestjs/common';

/** A room's head as this node knows it. */
export interface RoomHead {
  /** Id of the last message fanned out here ('' once known to be empty); unset until known. */
  head?: string;
  /** Counts messages fanned out, so a reader can tell whether any arrived while it read. */
  version: number;
}

/**
 * The last message id this node fanned out in each room it has sockets in: what tells the recent-history
 * cache whether a cached snapshot is still current. The fan-out records, the registry of local sockets
 * says when a room is followed and forgotten.
 */
@Injectable()
export class RoomHeads {
  private readonly rooms = new Map<string, RoomHead>();

  /** Starts following a room: this node now has a socket in it, so it hears every message of it. */
  follow(room: string): void {
    if (!this.rooms.has(room)) this.rooms.set(room, { version: 0 });
  }

  /** Stops following a room: with no socket left this node stops hearing it, so what it knew goes too. */
  forget(room: string): void {
    this.rooms.delete(room);
  }

  /** The last message id fanned out to a room here, while this node follows it. */
  of(room: string): Readonly<RoomHead> | undefined {
    return this.rooms.get(room);
  }

  /** Records a message fanned out to a room. */
  recordMessage(room: string, id: string): void {
    const known = this.rooms.get(room);
    if (!known) return;
    known.head = id;
    known.version += 1;
  }

  /** Sets a room's head from a fresh read of its history, unless a message arrived since `version`. */
  learn(room: string, head: string, version: number): void {
    const known = this.rooms.get(room);
    if (known && known.version === version) known.head = head;
  }
}
