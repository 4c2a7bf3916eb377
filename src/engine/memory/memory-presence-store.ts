import { Injectable } from '@nestjs/common';
import type { User } from '../../protocol/chat.events.js';
import { PresenceStore } from '../presence-store.js';

/**
 * A user in a room: their sockets in it, as the one socket's id while there is one (most users, and every
 * idle socket pays for this: a Set costs about 200 bytes), else a Set of ids.
 */
interface Member {
  user: User;
  connections: string | Set<string>;
}

/** Presence in this process: per room, each user with their sockets in it. */
@Injectable()
export class MemoryPresenceStore extends PresenceStore {
  private readonly rooms = new Map<string, Map<string, Member>>();

  async join(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ first: boolean; size: number }> {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    const member = members.get(user.id);
    if (!member) {
      members.set(user.id, { user, connections: connectionId });
      return { first: true, size: members.size };
    }
    const { connections } = member;
    if (connections instanceof Set) connections.add(connectionId);
    else if (connections !== connectionId)
      member.connections = new Set([connections, connectionId]);
    return { first: false, size: members.size };
  }

  async leave(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ last: boolean; size: number }> {
    const members = this.rooms.get(room);
    const member = members?.get(user.id);
    if (!members || !member) return { last: false, size: members?.size ?? 0 };
    const last = withoutConnection(member, connectionId);
    if (last) members.delete(user.id);
    if (members.size === 0) this.rooms.delete(room);
    return { last, size: members.size };
  }

  async count(room: string): Promise<number> {
    return this.rooms.get(room)?.size ?? 0;
  }

  async members(room: string): Promise<User[]> {
    return [...(this.rooms.get(room)?.values() ?? [])].map((member) => member.user);
  }
}

/** Takes a socket out of a member's; true when it was the member's last. */
function withoutConnection(member: Member, connectionId: string): boolean {
  const { connections } = member;
  if (!(connections instanceof Set)) return connections === connectionId;
  connections.delete(connectionId);
  if (connections.size > 1) return false;
  const [left] = connections;
  if (left === undefined) return true;
  member.connections = left;
  return false;
}
