import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Identity } from '../../auth/identity.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { logFailure } from '../../engine/backend-unreachable.js';
import { Broker, type Delivery, type UserCommand } from '../../engine/broker.js';
import {
  ModerationNotices,
  ModerationStore,
  SERVICE_SCOPE,
  SlowModeSlots,
  type ModerationChange,
  type ModerationEntry,
  type ModerationKey,
} from '../../engine/moderation-store.js';
import type { ModerationNotice, ServerEvents } from '../../protocol/chat.events.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import {
  MAX_MODERATION_DURATION_MS,
  MAX_SLOW_MODE_SECONDS,
  ROOM_NAME,
} from '../../protocol/limits.js';
import { ChatException } from '../chat.exception.js';
import { ConnectionAdmission, SessionCommands } from '../session.js';
import { ModerationState } from './moderation-state.js';
import type {
  BanRequest,
  ModerationActor,
  ModerationRecord,
  MuteRequest,
  RoomModerationReport,
  UserModerationReport,
} from './moderation-request.js';
import { moderates } from './moderator-role.js';

/** Longest close reason a WebSocket close frame can carry, in UTF-8 bytes. */
const MAX_CLOSE_REASON_BYTES = 123;
/** A reason: printable characters only (it is shown to users and written in close frames). */
const PRINTABLE = /^[^\p{C}]*$/u;

/**
 * Bans (from a room or the service, timed or permanent), mutes and slow modes, on every node: set through
 * the engine's `ModerationStore`, told to every node by `ModerationNotices`, and kept by each node in a
 * `ModerationState` that joins and sends read synchronously (a room with nothing moderated costs one map
 * lookup per message). A ban takes the user out of the room (or closes every socket of theirs with 4003)
 * on every node; the user hears `moderated`, the room `moderation`.
 */
@Injectable()
export class ModerationService implements OnModuleInit, ConnectionAdmission {
  private readonly logger = new Logger(ModerationService.name);
  private readonly state = new ModerationState();
  /** Bumped by every change heard, so that a load that raced one is read again rather than applied stale. */
  private version = 0;
  /** This node's sessions, told to leave or disconnect by a reload; absent in an app without the publisher. */
  private sessions: SessionCommands | undefined;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly store: ModerationStore,
    private readonly notices: ModerationNotices,
    private readonly slots: SlowModeSlots,
    private readonly broker: Broker,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    // Looked up, not injected: the publisher's module, which provides it, builds on this one.
    try {
      this.sessions = this.moduleRef.get(SessionCommands, { strict: false });
    } catch {
      this.sessions = undefined;
    }
    this.notices.listen((change) => this.heard(change));
    await this.reload();
  }

  /** Whether the identity moderates `room`, or (without one) the whole service. */
  isModerator(identity: Identity, room?: string): boolean {
    return moderates(identity.roles, this.config.MODERATOR_ROLE, room);
  }

  /** Why the user may not connect at all (a ban from the service), or undefined: read at the upgrade. */
  connectionRefusal(userId: string): string | undefined {
    const ban = this.state.serviceBan(userId, Date.now());
    return ban && bannedText('banned', ban);
  }

  /** Whether the user is banned from the room (or the service) now. */
  isBanned(userId: string, room: string): boolean {
    return this.banOf(userId, room) !== undefined;
  }

  /** Refuses a join of a user banned from the room (or the service) with `forbidden`, `until` and `reason` in details. */
  checkEntry(userId: string, room: string): void {
    const ban = this.banOf(userId, room);
    if (ban) throw refusal(bannedText(`banned from "${room}"`, ban), ban);
  }

  private banOf(userId: string, room: string): ModerationEntry | undefined {
    const now = Date.now();
    return this.state.serviceBan(userId, now) ?? this.state.roomBan(room, userId, now);
  }

  /**
   * Refuses a message of a banned or muted user with `forbidden` (until when in details). Synchronous; a
   * room with nothing moderated costs one map lookup.
   */
  checkSend(identity: Identity, room: string): void {
    const moderated = this.state.room(room);
    if (moderated === undefined) return;
    const userId = identity.user.id;
    const now = Date.now();
    const ban = this.state.roomBan(room, userId, now);
    if (ban) throw refusal(bannedText(`banned from "${room}"`, ban), ban);
    const mute = this.state.mute(room, userId, now);
    if (mute) throw refusal(bannedText(`muted in "${room}"`, mute), mute);
  }

  /**
   * Takes the user's slot in a room's slow mode, or refuses within its interval with `rate_limited` and
   * `retryAfterMs` (moderators exempt). Called once a message is valid, so a refused frame costs no slot.
   * Synchronous but for the slot on Redis; a room with nothing moderated costs one map lookup.
   */
  takeSendSlot(identity: Identity, room: string): void | Promise<void> {
    const intervalMs = this.state.room(room)?.slowMode?.intervalMs;
    if (intervalMs === undefined || this.isModerator(identity, room)) return;
    const wait = this.slots.take(room, identity.user.id, intervalMs, Date.now());
    if (typeof wait === 'number') return refuseWithin(wait, intervalMs);
    return wait.then((ms) => refuseWithin(ms, intervalMs));
  }

  /**
   * Bans a user from a room (taken out of it on every node) or, with no room, from the service (every
   * socket closed with 4003, upgrades refused with 403); resolves with what the moderator is answered.
   */
  async ban(request: BanRequest, actor: ModerationActor): Promise<ModerationNotice> {
    const userId = checkUserId(request.userId);
    const room = request.room === undefined ? undefined : checkRoom(request.room);
    this.authorize(actor, room);
    const entry = this.entry('ban', room ?? SERVICE_SCOPE, userId, actor, request);
    await this.set(entry);
    const notice = noticeOf('ban', entry);
    const deliveries: Delivery[] = [moderatedDelivery(userId, 'banned', entry)];
    deliveries.push(
      room === undefined
        ? {
            target: 'user',
            userIds: [userId],
            event: 'command',
            data: { command: 'disconnect', reason: closeReason(bannedText('banned', entry)) },
          }
        : { target: 'user', userIds: [userId], event: 'command', data: { command: 'leave', room } },
    );
    if (room !== undefined) deliveries.push(roomNotice(room, notice));
    await this.deliver(deliveries);
    return notice;
  }

  /** Lifts a user's ban from a room, or from the service with no room; the user hears `moderated` unbanned. */
  async unban(
    request: { userId: string; room?: string },
    actor: ModerationActor,
  ): Promise<ModerationNotice> {
    const userId = checkUserId(request.userId);
    const room = request.room === undefined ? undefined : checkRoom(request.room);
    this.authorize(actor, room);
    await this.lift({ kind: 'ban', scope: room ?? SERVICE_SCOPE, userId });
    const notice: ModerationNotice = { action: 'unban', userId, ...(room && { room }) };
    const deliveries: Delivery[] = [
      {
        target: 'user',
        userIds: [userId],
        event: 'moderated',
        data: { action: 'unbanned', ...(room && { room }) },
      },
    ];
    if (room !== undefined) deliveries.push(roomNotice(room, notice));
    await this.deliver(deliveries);
    return notice;
  }

  /** Mutes a user in a room for `durationMs` (absent: until unmuted): their messages there get `forbidden`. */
  async mute(request: MuteRequest, actor: ModerationActor): Promise<ModerationNotice> {
    const userId = checkUserId(request.userId);
    const room = checkRoom(request.room);
    this.authorize(actor, room);
    const entry = this.entry('mute', room, userId, actor, request);
    await this.set(entry);
    const notice = noticeOf('mute', entry);
    await this.deliver([moderatedDelivery(userId, 'muted', entry), roomNotice(room, notice)]);
    return notice;
  }

  /** Lifts a user's mute in a room. */
  async unmute(
    request: { userId: string; room: string },
    actor: ModerationActor,
  ): Promise<ModerationNotice> {
    const userId = checkUserId(request.userId);
    const room = checkRoom(request.room);
    this.authorize(actor, room);
    await this.lift({ kind: 'mute', scope: room, userId });
    const notice: ModerationNotice = { action: 'unmute', room, userId };
    await this.deliver([
      { target: 'user', userIds: [userId], event: 'moderated', data: { action: 'unmuted', room } },
      roomNotice(room, notice),
    ]);
    return notice;
  }

  /** Sets a room's slow mode: one message per user per `seconds` (0 turns it off); moderators are exempt. */
  async setSlowMode(
    request: { room: string; seconds: number },
    actor: ModerationActor,
  ): Promise<ModerationNotice> {
    const room = checkRoom(request.room);
    this.authorize(actor, room);
    const { seconds } = request;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_SLOW_MODE_SECONDS)
      throw invalid('seconds', `seconds must be an integer from 0 to ${MAX_SLOW_MODE_SECONDS}`);
    if (seconds === 0) await this.lift({ kind: 'slowmode', scope: room, userId: '' });
    else
      await this.set({
        kind: 'slowmode',
        scope: room,
        userId: '',
        intervalMs: seconds * 1000,
        by: actorId(actor),
        at: Date.now(),
      });
    const notice: ModerationNotice = { action: 'slowmode', room, seconds };
    await this.deliver([roomNotice(room, notice)]);
    return notice;
  }

  /** A room's slow mode, bans and mutes, as this node knows them (every node knows them all). */
  roomReport(room: string): RoomModerationReport {
    checkRoom(room);
    const report: RoomModerationReport = { room, slowModeSeconds: 0, bans: [], mutes: [] };
    for (const entry of this.state.inRoom(room, Date.now())) {
      if (entry.kind === 'slowmode') report.slowModeSeconds = (entry.intervalMs ?? 0) / 1000;
      else (entry.kind === 'ban' ? report.bans : report.mutes).push(recordOf(entry));
    }
    return report;
  }

  /** A user's ban from the service and bans and mutes in rooms, as this node knows them. */
  userReport(userId: string): UserModerationReport {
    checkUserId(userId);
    const report: UserModerationReport = { userId, bans: [], mutes: [] };
    for (const entry of this.state.ofUser(userId, Date.now())) {
      if (entry.scope === SERVICE_SCOPE) report.serviceBan = recordOf(entry);
      else (entry.kind === 'ban' ? report.bans : report.mutes).push(recordOf(entry));
    }
    return report;
  }

  /** A client needs the moderator role for the room, or the plain role for the whole service. */
  private authorize(actor: ModerationActor, room: string | undefined): void {
    if ('server' in actor) return;
    if (this.isModerator(actor.identity, room)) return;
    throw new ChatException(
      ChatErrorCode.Forbidden,
      room === undefined ? 'only a moderator of the service may' : `you do not moderate "${room}"`,
    );
  }

  private entry(
    kind: 'ban' | 'mute',
    scope: string,
    userId: string,
    actor: ModerationActor,
    request: { durationMs?: number; reason?: string },
  ): ModerationEntry {
    const now = Date.now();
    const entry: ModerationEntry = { kind, scope, userId, by: actorId(actor), at: now };
    if (request.durationMs !== undefined) {
      const ms = request.durationMs;
      if (!Number.isInteger(ms) || ms < 1 || ms > MAX_MODERATION_DURATION_MS)
        throw invalid(
          'durationMs',
          `durationMs must be an integer from 1 to ${MAX_MODERATION_DURATION_MS}`,
        );
      entry.until = now + ms;
    }
    const reason = this.checkReason(request.reason);
    if (reason !== undefined) entry.reason = reason;
    return entry;
  }

  private checkReason(reason: string | undefined): string | undefined {
    if (reason === undefined) return undefined;
    const max = this.config.MODERATION_MAX_REASON_LENGTH;
    if (typeof reason !== 'string' || codePoints(reason) > max || !PRINTABLE.test(reason))
      throw invalid('reason', `reason must be at most ${max} printable characters`);
    const trimmed = reason.trim();
    return trimmed.length > 0 ? trimmed : undefined;
  }

  /** Stores an entry within the bounds, applies it here, and tells every node. */
  private async set(entry: ModerationEntry): Promise<void> {
    const isNew = !this.state.has(entry);
    const perRoom = this.config.MODERATION_MAX_PER_ROOM;
    if (
      isNew &&
      entry.scope !== SERVICE_SCOPE &&
      entry.kind !== 'slowmode' &&
      this.state.countInRoom(entry.scope) >= perRoom
    )
      throw new ChatException(
        ChatErrorCode.Forbidden,
        `a room may have at most ${perRoom} bans and mutes`,
        { maxPerRoom: perRoom },
      );
    const full = await this.unavailableWhenFailing(() =>
      this.store.set(entry, this.config.MODERATION_MAX_ENTRIES, Date.now()),
    );
    if (full)
      throw new ChatException(
        ChatErrorCode.Forbidden,
        `at most ${full.max} bans, mutes and slow modes may be in force`,
        { maxEntries: full.max },
      );
    await this.publishChange({ op: 'set', entry });
  }

  private async lift(key: ModerationKey): Promise<void> {
    await this.unavailableWhenFailing(() => this.store.lift(key));
    await this.publishChange({ op: 'lift', key });
  }

  /** Applies a change here at once (a moderator's next request sees it), then tells the other nodes. */
  private async publishChange(change: Exclude<ModerationChange, { op: 'reload' }>): Promise<void> {
    this.heard(change);
    await this.unavailableWhenFailing(() => this.notices.publish(change));
  }

  private heard(change: ModerationChange): void {
    this.version += 1;
    if (change.op === 'reload') {
      this.reload().catch((error: unknown) =>
        logFailure(this.logger, 'warn', 'moderation state not reloaded', error),
      );
      return;
    }
    this.state.apply(change);
  }

  /** Reads the whole state from the store; read again if a change was heard meanwhile. */
  private async reload(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const version = this.version;
      let entries: ModerationEntry[];
      try {
        entries = await this.store.load(Date.now());
      } catch (error) {
        // At boot the backend may be down: the state stays empty until the notices' next `reload`.
        logFailure(this.logger, 'warn', 'moderation state not loaded', error);
        return;
      }
      if (version === this.version) {
        this.state.replace(entries);
        this.enforceBans(entries);
        return;
      }
    }
  }

  /**
   * Applies the bans of a reloaded state to this node's sessions: a ban's `leave` or `disconnect` travels
   * over the broker as a command, and one published while this node's subscriber was away (the reason for
   * a reload) was lost with it. Sessions of users without a ban, or not on this node, are untouched.
   */
  private enforceBans(entries: readonly ModerationEntry[]): void {
    if (!this.sessions) return;
    for (const entry of entries) {
      if (entry.kind !== 'ban') continue;
      const command: UserCommand =
        entry.scope === SERVICE_SCOPE
          ? { command: 'disconnect', reason: closeReason(bannedText('banned', entry)) }
          : { command: 'leave', room: entry.scope };
      try {
        this.sessions.apply(entry.userId, command);
      } catch (error) {
        this.logger.error(error);
      }
    }
  }

  private async deliver(deliveries: Delivery[]): Promise<void> {
    await this.unavailableWhenFailing(() => this.broker.publish(deliveries));
  }

  private async unavailableWhenFailing<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ChatException) throw error;
      logFailure(this.logger, 'warn', 'moderation not stored', error);
      throw new ChatException(ChatErrorCode.Unavailable, 'moderation unavailable, retry later');
    }
  }
}

function actorId(actor: ModerationActor): string {
  return 'server' in actor ? actor.server : actor.identity.user.id;
}

function checkUserId(userId: string): string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64)
    throw invalid('userId', 'userId must be 1 to 64 characters');
  return userId;
}

function checkRoom(room: string): string {
  if (typeof room !== 'string' || !ROOM_NAME.test(room))
    throw invalid('room', `room must match ${ROOM_NAME.source}`);
  return room;
}

function invalid(field: string, error: string): ChatException {
  return new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
    { field, errors: [error] },
  ]);
}

/** `what`, with the reason if one was given. */
function bannedText(what: string, entry: ModerationEntry): string {
  return entry.reason === undefined ? what : `${what}: ${entry.reason}`;
}

/** The `forbidden` of a ban or mute: until when (absent: permanent) and why, in details. */
function refusal(message: string, entry: ModerationEntry): ChatException {
  return new ChatException(ChatErrorCode.Forbidden, message, detailsOf(entry));
}

function detailsOf(entry: ModerationEntry): { until?: number; reason?: string } {
  return {
    ...(entry.until !== undefined && { until: entry.until }),
    ...(entry.reason !== undefined && { reason: entry.reason }),
  };
}

/** Nothing for a free slot; `rate_limited` with the wait for a taken one. */
function refuseWithin(waitMs: number, intervalMs: number): void {
  if (waitMs <= 0) return;
  throw new ChatException(
    ChatErrorCode.RateLimited,
    `slow mode: one message every ${intervalMs / 1000} s`,
    { retryAfterMs: waitMs },
  );
}

function noticeOf(action: 'ban' | 'mute', entry: ModerationEntry): ModerationNotice {
  return {
    action,
    userId: entry.userId,
    ...(entry.scope !== SERVICE_SCOPE && { room: entry.scope }),
    ...detailsOf(entry),
  };
}

function moderatedDelivery(
  userId: string,
  action: 'banned' | 'muted',
  entry: ModerationEntry,
): Delivery {
  const data: ServerEvents['moderated'] = {
    action,
    ...(entry.scope !== SERVICE_SCOPE && { room: entry.scope }),
    ...detailsOf(entry),
  };
  return { target: 'user', userIds: [userId], event: 'moderated', data };
}

function roomNotice(room: string, notice: ModerationNotice): Delivery {
  return { target: 'room', room, event: 'moderation', data: notice };
}

function recordOf(entry: ModerationEntry): ModerationRecord {
  return {
    userId: entry.userId,
    ...(entry.scope !== SERVICE_SCOPE && { room: entry.scope }),
    ...detailsOf(entry),
    by: entry.by,
    at: entry.at,
  };
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** A close reason within what a close frame carries, cut at a character boundary. */
function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_CLOSE_REASON_BYTES) return text;
  let cut = '';
  for (const character of text) {
    if (Buffer.byteLength(cut + character) > MAX_CLOSE_REASON_BYTES) break;
    cut += character;
  }
  return cut;
}
