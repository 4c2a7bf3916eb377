/** What a moderation entry does: keeps a user out (`ban`), silences them in a room (`mute`), or paces a room (`slowmode`). */
export type ModerationKind = 'ban' | 'mute' | 'slowmode';

/** The scope of a ban from the whole service, where a room's name would be: no room name can be `*`. */
export const SERVICE_SCOPE = '*';

/**
 * One moderation entry, kept until it ends: a ban of `userId` from a room or the service (`scope`), a mute
 * of `userId` in a room, or a room's slow mode (`userId` empty). Identified by kind, scope and user.
 */
export interface ModerationEntry {
  kind: ModerationKind;
  /** A room's name, or SERVICE_SCOPE for a service ban. */
  scope: string;
  /** The user banned or muted; `''` for a slow mode. */
  userId: string;
  /** When it ends, ms since the epoch; absent: until lifted. */
  until?: number;
  /** Why, as the user is told. */
  reason?: string;
  /** Slow mode: ms between two messages of a user in the room. */
  intervalMs?: number;
  /** Who set it: a moderator's user id, or a server sender's. */
  by: string;
  /** When it was set, ms since the epoch. */
  at: number;
}

/** The identity of an entry: setting one with the same kind, scope and user replaces it. */
export type ModerationKey = Pick<ModerationEntry, 'kind' | 'scope' | 'userId'>;

/** A change of the moderation state, as every node hears of it. */
export type ModerationChange =
  | { op: 'set'; entry: ModerationEntry }
  | { op: 'lift'; key: ModerationKey }
  /** The notices may have missed changes (a reconnect): read the whole state again. */
  | { op: 'reload' };

/** A refusal of the store: it holds MODERATION_MAX_ENTRIES entries already. */
export interface ModerationFull {
  refused: 'full';
  max: number;
}

/** Whether an entry is still in force at `now`. */
export function inForce(entry: ModerationEntry, now: number): boolean {
  return entry.until === undefined || entry.until > now;
}

/** The one string an entry's key is stored under: the scope's length first, so that no two keys share one. */
export function moderationKeyString(key: ModerationKey): string {
  return `${key.kind}:${key.scope.length}:${key.scope}:${key.userId}`;
}

/**
 * Where moderation entries are kept: memory (one node), Redis (every node, until lifted or ended), or the
 * database (kept across restarts). Reads are for the domain's per-node copy, loaded at start and after a
 * reconnect; the hot path never reads the store.
 */
export abstract class ModerationStore {
  /** Every entry in force at `now`; those that ended may be purged on the way. */
  abstract load(now: number): Promise<ModerationEntry[]>;
  /**
   * Sets (or replaces) an entry; a new one is refused as a value when `max` entries are in force already.
   * Rejects when storage is unreachable.
   */
  abstract set(
    entry: ModerationEntry,
    max: number,
    now: number,
  ): Promise<ModerationFull | undefined>;
  /** Lifts an entry; resolves whether it was there. */
  abstract lift(key: ModerationKey): Promise<boolean>;
}

/**
 * Carries moderation changes to every node (memory: this one), so that each node's copy follows the
 * state without reading the store per message.
 */
export abstract class ModerationNotices {
  /** Tells every node (this one included) of a change. */
  abstract publish(change: ModerationChange): Promise<void>;
  /** Sets the one listener of changes; it also hears `reload` when changes may have been missed. */
  abstract listen(listener: (change: ModerationChange) => void): void;
}

/**
 * A room's slow mode across nodes: one message per user per interval. Asked only for rooms in slow mode,
 * for users who are not moderators.
 */
export abstract class SlowModeSlots {
  /**
   * Takes the user's slot in the room for `intervalMs`: 0 when it was free (the message may go), else the
   * ms until it is; synchronous on one node. Rejects when the counter is unreachable.
   */
  abstract take(
    room: string,
    userId: string,
    intervalMs: number,
    now: number,
  ): number | Promise<number>;
}
