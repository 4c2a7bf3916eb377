import {
  inForce,
  SERVICE_SCOPE,
  type ModerationChange,
  type ModerationEntry,
  type ModerationKey,
} from '../../engine/moderation-store.js';

/** A room's moderation on this node: its bans and mutes by user, and its slow mode. */
export class RoomModeration {
  readonly bans = new Map<string, ModerationEntry>();
  readonly mutes = new Map<string, ModerationEntry>();
  slowMode: ModerationEntry | undefined;

  /** Whether nothing is left in it (the room is then dropped from the state). */
  get empty(): boolean {
    return this.bans.size === 0 && this.mutes.size === 0 && this.slowMode === undefined;
  }
}

/**
 * This node's copy of the moderation state, kept by the changes every node hears: what the hot path reads,
 * synchronously. A room with nothing moderated has no entry at all, so a message's check is one map lookup;
 * entries that ended are dropped as they are met.
 */
export class ModerationState {
  private readonly serviceBans = new Map<string, ModerationEntry>();
  private readonly rooms = new Map<string, RoomModeration>();

  /** Replaces the whole state (a load). */
  replace(entries: readonly ModerationEntry[]): void {
    this.serviceBans.clear();
    this.rooms.clear();
    for (const entry of entries) this.set(entry);
  }

  /** Applies one change heard from any node (a `reload` is the caller's). */
  apply(change: Exclude<ModerationChange, { op: 'reload' }>): void {
    if (change.op === 'set') this.set(change.entry);
    else this.lift(change.key);
  }

  /** The room's moderation, or undefined when nothing is moderated there: the hot path's one lookup. */
  room(room: string): RoomModeration | undefined {
    return this.rooms.get(room);
  }

  /** The user's ban from the service in force at `now`, if any. */
  serviceBan(userId: string, now: number): ModerationEntry | undefined {
    if (this.serviceBans.size === 0) return undefined;
    return this.current(this.serviceBans, userId, now);
  }

  /** The user's ban from the room in force at `now`, if any. */
  roomBan(room: string, userId: string, now: number): ModerationEntry | undefined {
    const moderated = this.rooms.get(room);
    return moderated && this.current(moderated.bans, userId, now, room);
  }

  /** The user's mute in the room in force at `now`, if any. */
  mute(room: string, userId: string, now: number): ModerationEntry | undefined {
    const moderated = this.rooms.get(room);
    return moderated && this.current(moderated.mutes, userId, now, room);
  }

  /** How many bans and mutes the room has (ended ones not yet met included: a bound, not a report). */
  countInRoom(room: string): number {
    const moderated = this.rooms.get(room);
    return moderated ? moderated.bans.size + moderated.mutes.size : 0;
  }

  /** Whether an entry with this key is held (a replacement is not a new entry for the bounds). */
  has(key: ModerationKey): boolean {
    if (key.scope === SERVICE_SCOPE) return this.serviceBans.has(key.userId);
    const moderated = this.rooms.get(key.scope);
    if (!moderated) return false;
    if (key.kind === 'slowmode') return moderated.slowMode !== undefined;
    return (key.kind === 'ban' ? moderated.bans : moderated.mutes).has(key.userId);
  }

  /** Every entry of a room in force at `now`: its bans, mutes and slow mode. */
  inRoom(room: string, now: number): ModerationEntry[] {
    const moderated = this.rooms.get(room);
    if (!moderated) return [];
    const entries = [...moderated.bans.values(), ...moderated.mutes.values()];
    if (moderated.slowMode) entries.push(moderated.slowMode);
    return entries.filter((entry) => inForce(entry, now));
  }

  /** Every ban and mute of a user in force at `now`, the service's and every room's. */
  ofUser(userId: string, now: number): ModerationEntry[] {
    const entries: ModerationEntry[] = [];
    const service = this.serviceBans.get(userId);
    if (service) entries.push(service);
    for (const moderated of this.rooms.values()) {
      const ban = moderated.bans.get(userId);
      const mute = moderated.mutes.get(userId);
      if (ban) entries.push(ban);
      if (mute) entries.push(mute);
    }
    return entries.filter((entry) => inForce(entry, now));
  }

  private set(entry: ModerationEntry): void {
    if (entry.scope === SERVICE_SCOPE) {
      this.serviceBans.set(entry.userId, entry);
      return;
    }
    let moderated = this.rooms.get(entry.scope);
    if (!moderated) this.rooms.set(entry.scope, (moderated = new RoomModeration()));
    if (entry.kind === 'slowmode') moderated.slowMode = entry;
    else (entry.kind === 'ban' ? moderated.bans : moderated.mutes).set(entry.userId, entry);
  }

  private lift(key: ModerationKey): void {
    if (key.scope === SERVICE_SCOPE) {
      this.serviceBans.delete(key.userId);
      return;
    }
    const moderated = this.rooms.get(key.scope);
    if (!moderated) return;
    if (key.kind === 'slowmode') moderated.slowMode = undefined;
    else (key.kind === 'ban' ? moderated.bans : moderated.mutes).delete(key.userId);
    if (moderated.empty) this.rooms.delete(key.scope);
  }

  /** The entry of `userId` in `entries` if in force; an ended one is dropped (and its room, once empty). */
  private current(
    entries: Map<string, ModerationEntry>,
    userId: string,
    now: number,
    room?: string,
  ): ModerationEntry | undefined {
    const entry = entries.get(userId);
    if (entry === undefined || inForce(entry, now)) return entry;
    entries.delete(userId);
    if (room !== undefined && this.rooms.get(room)?.empty) this.rooms.delete(room);
    return undefined;
  }
}
