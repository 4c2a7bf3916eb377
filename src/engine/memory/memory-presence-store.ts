import { Injectable } from '@nestjs/common';
import type { User } from '../../protocol/chat.events.js';
import { PresenceStore } from '../presence-store.js';

/** Presence in this process: per room, each user with the set of their sockets in it. */
@Injectable()
export class MemoryPresenceStore extends PresenceStore {
  private readonly rooms = new Map<string, Map<string, { user: User; connections: Set<string> }>>();

  async join(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ first: boolean; size: number }> {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    let member = members.get(user.id);
    const first = !member;
    if (!member) members.set(user.id, (member = { user, connections: new Set() }));
    member.connections.add(connectionId);
    return { first, size: members.size };
  }

  async leave(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ last: boolean; size: number }> {
    const members = this.rooms.get(room);
    const member = members?.get(user.id);
    if (!members || !member) return { last: false, size: members?.size ?? 0 };
    member.connections.delete(connectionId);
    const last = member.connections.size === 0;
    if (last) members.delete(user.id);
    if (members.size === 0) this.rooms.delete(room);
    return { last, size: members.size };
  }

  async members(room: string): Promise<User[]> {
    return [...(this.rooms.get(room)?.values() ?? [])].map((member) => member.user);
  }
}
