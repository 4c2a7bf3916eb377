import type { Identity } from '../../auth/identity.js';

/** Who takes a moderation action: a client, whose moderator role is checked, or the host's server (trusted), by a name of its choosing. */
export type ModerationActor = { identity: Identity } | { server: string };

/** A ban of `userId` from `room`, or from the whole service without one; permanent without `durationMs`. */
export interface BanRequest {
  userId: string;
  room?: string;
  /** How long it lasts, in ms; absent: until lifted. */
  durationMs?: number;
  /** Why, as the user is told (at most MODERATION_MAX_REASON_LENGTH characters). */
  reason?: string;
}

/** A mute of `userId` in `room` for `durationMs` (absent: until lifted): their messages there are refused. */
export interface MuteRequest {
  userId: string;
  room: string;
  durationMs?: number;
  reason?: string;
}

/** One ban or mute as a read reports it. */
export interface ModerationRecord {
  userId: string;
  /** The room; absent for a ban from the whole service. */
  room?: string;
  /** When it ends (ms since the epoch); absent: until lifted. */
  until?: number;
  reason?: string;
  /** Who set it: a moderator's user id, or the name the server gave. */
  by: string;
  /** When it was set. */
  at: number;
}

/** A room's moderation: its slow mode (0: off), and the bans and mutes in force there. */
export interface RoomModerationReport {
  room: string;
  slowModeSeconds: number;
  bans: ModerationRecord[];
  mutes: ModerationRecord[];
}

/** A user's moderation: their ban from the service if any, and their bans and mutes in rooms. */
export interface UserModerationReport {
  userId: string;
  serviceBan?: ModerationRecord;
  bans: ModerationRecord[];
  mutes: ModerationRecord[];
}
