import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { Broker, type Delivery, type UserCommand } from '../../engine/broker.js';
import type { StoredSend } from '../../engine/message-store.js';
import type {
  ChatMessage,
  DirectMessage,
  ModerationNotice,
  User,
} from '../../protocol/chat.events.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { customEventNameProblem } from '../../protocol/custom-event.js';
import { ROOM_NAME } from '../../protocol/limits.js';
import { SERVER_SENDER_ID } from '../../protocol/server-sender.js';
import { ChatException } from '../chat.exception.js';
import { HISTORY_PAGE, HistoryService } from '../history/history.service.js';
import { ChatService } from '../messaging/chat.service.js';
import { RoomsService } from '../rooms/rooms.service.js';
import { ModerationService } from '../moderation/moderation.service.js';
import type {
  ModerationActor,
  RoomModerationReport,
  UserModerationReport,
} from '../moderation/moderation-request.js';

/** A sender's display name, as the handshake accepts a user's. */
const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;

/** Longest idempotency key a call may carry (it is hashed before it is stored). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** Most messages one `history` call returns, as for a client's `history`. */
export const MAX_HISTORY_LIMIT = 100;

/** Longest close reason, in UTF-8 bytes: what a WebSocket close frame can carry. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Who a server-published message is from, and how a repeat of the call is recognized. */
export interface PublishOptions {
  /**
   * The sender shown as `from`: a server sender, whose id starts with `server:` (no socket can connect as
   * one). Left out: PUBLISHER_SENDER_ID and PUBLISHER_SENDER_NAME.
   */
  from?: User;
  /** Lets `from` be any user, a real one included: their clients cannot tell the message from one they sent. */
  impersonate?: boolean;
  /**
   * Makes the call idempotent per sender: a repeat with the same key and sender stores nothing and returns
   * the first message, `duplicate: true` (for DEDUPE_TTL_MS in memory and Redis, as long as the message is
   * kept with a database). Cannot meet a user's `clientMsgId`.
   */
  idempotencyKey?: string;
}

/** What a publish stored: the message as clients received it, and whether it was a repeat of an earlier call. */
export interface Published<M extends ChatMessage | DirectMessage> {
  message: M;
  duplicate: boolean;
}

/** A page of history: up to `limit` messages older than `before` (or the latest), oldest first. */
export interface HistoryQuery {
  before?: string;
  limit?: number;
}

/** Who a moderation call is recorded as having been made by (in reads of the state); PUBLISHER_SENDER_ID when left out. */
export interface ModerationBy {
  by?: string;
}

/** A ban: from `room`, or from the whole service without one; for `durationMs`, or until lifted without it. */
export interface BanOptions extends ModerationBy {
  room?: string;
  durationMs?: number;
  /** Why, as the user is told (at most MODERATION_MAX_REASON_LENGTH characters). */
  reason?: string;
}

/** A mute: for `durationMs`, or until lifted without it; with an optional reason. */
export interface MuteOptions extends ModerationBy {
  durationMs?: number;
  reason?: string;
}

/** A deletion as a moderator: `deleted` shows `from` (the default sender unless given; see PublishOptions). */
export type DeleteOptions = Pick<PublishOptions, 'from' | 'impersonate'>;

/** A message deleted: its id, room and when. */
export interface Deleted {
  id: string;
  room: string;
  deletedAt: number;
}

/**
 * The host's server-side hand on the chat, injectable anywhere once `SwitchboardModule` is imported:
 * messages go through the same write queue, store and fan-out as a client's, so they get ids, order,
 * storage and dedupe alike; events, leaves and disconnects reach the user's sockets on every node. Every
 * refusal is a `ChatException` with a `ChatErrorCode` (`validation_failed`, `rate_limited`,
 * `unavailable`, ...). The host is trusted: nothing here checks room access.
 */
@Injectable()
export class ChatPublisher {
  private readonly defaultSender: User;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly chat: ChatService,
    private readonly rooms: RoomsService,
    private readonly history: HistoryService,
    private readonly broker: Broker,
    private readonly moderation: ModerationService,
  ) {
    this.defaultSender = { id: config.PUBLISHER_SENDER_ID, name: config.PUBLISHER_SENDER_NAME };
  }

  /** Stores `text` in `room` and fans it out as a `message` to its members on every node; resolves once stored. */
  async publish(
    room: string,
    text: string,
    options: PublishOptions = {},
  ): Promise<Published<ChatMessage>> {
    checkRoom(room);
    const stored = await this.chat.postToRoom(
      { user: this.sender(options) },
      room,
      checkText(text),
      serverClientMsgId(options.idempotencyKey),
    );
    return publishedAs<ChatMessage>(stored, 'room');
  }

  /** Stores `text` as a `dm` to the user `to` and delivers it to all their sockets (and the sender's); resolves once stored. */
  async dm(
    to: string,
    text: string,
    options: PublishOptions = {},
  ): Promise<Published<DirectMessage>> {
    checkUserId('to', to);
    const stored = await this.chat.postDirect(
      { user: this.sender(options) },
      to,
      checkText(text),
      serverClientMsgId(options.idempotencyKey),
    );
    return publishedAs<DirectMessage>(stored, 'dm');
  }

  /** Sends `{"event":event,"data":data}` to every socket in `room`, on every node; not stored. */
  async emitToRoom(room: string, event: string, data: object): Promise<void> {
    checkRoom(room);
    const frame = this.customFrame(event, data);
    await this.deliver({ target: 'room', room, event: 'custom', data: { frame } });
  }

  /** Sends `{"event":event,"data":data}` to every socket of the user, on every node; not stored. */
  async emitToUser(userId: string, event: string, data: object): Promise<void> {
    checkUserId('userId', userId);
    const frame = this.customFrame(event, data);
    await this.deliver({ target: 'user', userIds: [userId], event: 'custom', data: { frame } });
  }

  /**
   * Takes every socket of the user out of `room` on every node, as their own `leave` would (others get
   * `presence` leave); each gets an unsolicited `left`. Resolves once the command is on its way to every node.
   */
  async leave(userId: string, room: string): Promise<void> {
    checkUserId('userId', userId);
    checkRoom(room);
    await this.command(userId, { command: 'leave', room });
  }

  /**
   * Closes every socket of the user, on every node, with 4003 and `reason` (which clients see; the SDK
   * does not reconnect). Resolves once the command is on its way; it does not stop them connecting again.
   */
  async disconnect(userId: string, reason = 'disconnected by the server'): Promise<void> {
    checkUserId('userId', userId);
    if (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES)
      throw invalid('reason', `reason must be at most ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`);
    await this.command(userId, { command: 'disconnect', reason });
  }

  /** Who is in `room` across nodes, and how many; the list is empty above PRESENCE_MAX_MEMBERS. */
  async members(room: string): Promise<{ members: User[]; count: number }> {
    checkRoom(room);
    return unavailableWhenFailing(() => this.rooms.members(room), 'presence');
  }

  /** A page of `room`'s history, oldest first, within REPLY_MAX_BYTES, as a client's `history` reads it. */
  async roomHistory(room: string, query: HistoryQuery = {}): Promise<ChatMessage[]> {
    checkRoom(room);
    const limit = checkHistoryQuery(query);
    return unavailableWhenFailing(() => this.history.page(room, query.before, limit), 'history');
  }

  /** A page of the DM conversation between two users, oldest first (a database only: `unavailable` without). */
  async directHistory(
    userId: string,
    withUserId: string,
    query: HistoryQuery = {},
  ): Promise<DirectMessage[]> {
    checkUserId('userId', userId);
    checkUserId('with', withUserId);
    const limit = checkHistoryQuery(query);
    const page = await unavailableWhenFailing(
      () =>
        this.history.conversationPage(
          { id: userId, name: userId },
          { with: withUserId },
          query.before,
          limit,
        ),
      'history',
    );
    return page.messages as DirectMessage[];
  }

  /**
   * Bans a user from `options.room` (taken out of it at once on every node, a rejoin refused with
   * `forbidden`) or, with no room, from the service (every socket closed with 4003, upgrades refused with
   * 403); until `durationMs` passes, or until `unban`. The user gets `moderated`, the room `moderation`.
   */
  async ban(userId: string, options: BanOptions = {}): Promise<ModerationNotice> {
    const { room, durationMs, reason } = options;
    return this.moderation.ban({ userId, room, durationMs, reason }, this.actor(options));
  }

  /** Lifts a user's ban from `options.room`, or from the service with no room. */
  async unban(
    userId: string,
    options: { room?: string } & ModerationBy = {},
  ): Promise<ModerationNotice> {
    return this.moderation.unban({ userId, room: options.room }, this.actor(options));
  }

  /** Mutes a user in `room` for `options.durationMs` (or until `unmute`): their messages there get `forbidden`. */
  async mute(userId: string, room: string, options: MuteOptions = {}): Promise<ModerationNotice> {
    const { durationMs, reason } = options;
    return this.moderation.mute({ userId, room, durationMs, reason }, this.actor(options));
  }

  /** Lifts a user's mute in `room`. */
  async unmute(
    userId: string,
    room: string,
    options: ModerationBy = {},
  ): Promise<ModerationNotice> {
    return this.moderation.unmute({ userId, room }, this.actor(options));
  }

  /** One message per user per `seconds` in `room` (0 turns it off); moderators are exempt. */
  async setSlowMode(
    room: string,
    seconds: number,
    options: ModerationBy = {},
  ): Promise<ModerationNotice> {
    return this.moderation.setSlowMode({ room, seconds }, this.actor(options));
  }

  /** Deletes anyone's message in `room` (a database only: `unavailable` without); the room gets `deleted`. */
  async deleteMessage(room: string, id: string, options: DeleteOptions = {}): Promise<Deleted> {
    checkRoom(room);
    if (typeof id !== 'string' || id.length === 0 || id.length > 128)
      throw invalid('id', 'id must be a message id');
    const ack = await this.chat.deleteInRoom({ user: this.sender(options) }, room, id);
    return { id: ack.id, room, deletedAt: ack.ts };
  }

  /** A room's slow mode and the bans and mutes in force there (every node knows them all). */
  roomModeration(room: string): RoomModerationReport {
    return this.moderation.roomReport(room);
  }

  /** A user's ban from the service, if any, and their bans and mutes in rooms. */
  userModeration(userId: string): UserModerationReport {
    return this.moderation.userReport(userId);
  }

  private actor(options: ModerationBy | undefined): ModerationActor {
    const by = options?.by ?? this.defaultSender.id;
    checkUserId('by', by);
    return { server: by };
  }

  /** The sender of a call: a server sender, or anyone when the host says it impersonates. */
  private sender(options: PublishOptions): User {
    const from = options.from ?? this.defaultSender;
    if (typeof from?.id !== 'string' || typeof from.name !== 'string')
      throw invalid('from', 'from must be { id, name }');
    checkUserId('from.id', from.id);
    if (!options.impersonate && !SERVER_SENDER_ID.test(from.id))
      throw invalid(
        'from.id',
        `from.id must match ${SERVER_SENDER_ID.source} (a server sender); pass impersonate: true to send as a user`,
      );
    if (!DISPLAY_NAME.test(from.name))
      throw invalid('from.name', 'from.name must be 1 to 32 printable characters');
    return { id: from.id, name: from.name };
  }

  /** The frame of a custom event, serialized once for every node and socket, within MAX_FRAME_BYTES. */
  private customFrame(event: string, data: object): string {
    const problem =
      typeof event === 'string' ? customEventNameProblem(event) : 'event must be a string';
    if (problem) throw invalid('event', problem);
    // An envelope's `data` is an object on the whole wire, both ways; clients may rely on it.
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw invalid('data', 'data must be a JSON object');
    let frame: string;
    try {
      frame = JSON.stringify({ event, data });
    } catch {
      throw invalid('data', 'data must be serializable as JSON');
    }
    if (Buffer.byteLength(frame) > this.config.MAX_FRAME_BYTES)
      throw invalid(
        'data',
        `the event must serialize to at most ${this.config.MAX_FRAME_BYTES} bytes`,
      );
    return frame;
  }

  private async command(userId: string, command: UserCommand): Promise<void> {
    await this.deliver({ target: 'user', userIds: [userId], event: 'command', data: command });
  }

  private async deliver(delivery: Delivery): Promise<void> {
    await unavailableWhenFailing(() => this.broker.publish([delivery]), 'broker');
  }
}

/**
 * The `clientMsgId` a server call is stored under: a digest of its key, longer than any client's (64 at
 * most), so a server key and a user's `clientMsgId` never meet, even for an impersonated user.
 */
function serverClientMsgId(idempotencyKey: string | undefined): string | undefined {
  if (idempotencyKey === undefined) return undefined;
  if (
    typeof idempotencyKey !== 'string' ||
    idempotencyKey.length === 0 ||
    idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH
  )
    throw invalid(
      'idempotencyKey',
      `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    );
  return `server:${createHash('sha256').update(idempotencyKey).digest('hex')}`;
}

/** The stored message, or a refusal when the key was first used for the other kind of message. */
function publishedAs<M extends ChatMessage | DirectMessage>(
  stored: StoredSend,
  kind: StoredSend['kind'],
): Published<M> {
  if (stored.kind !== kind)
    throw invalid(
      'idempotencyKey',
      `idempotencyKey was first used for a ${stored.kind === 'dm' ? 'dm' : 'room message'}`,
    );
  return { message: stored.message as M, duplicate: stored.duplicate };
}

function checkRoom(room: string): void {
  if (typeof room !== 'string' || !ROOM_NAME.test(room))
    throw invalid('room', `room must match ${ROOM_NAME.source}`);
}

function checkUserId(field: string, userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64)
    throw invalid(field, `${field} must be 1 to 64 characters`);
}

/** Blank text is refused as a client's is; ChatService trims it and checks MAX_TEXT_LENGTH. */
function checkText(text: string): string {
  if (typeof text !== 'string' || !/\S/.test(text))
    throw invalid('text', 'text must not be empty after trimming');
  return text;
}

function checkHistoryQuery(query: HistoryQuery): number {
  const limit = query.limit ?? HISTORY_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)
    throw invalid('limit', `limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
  if (query.before !== undefined && (typeof query.before !== 'string' || query.before.length > 128))
    throw invalid('before', 'before must be a message id');
  return limit;
}

function invalid(field: string, error: string): ChatException {
  return new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
    { field, errors: [error] },
  ]);
}

/** Runs a read or publish; a failure that is not already a refusal becomes `unavailable`. */
async function unavailableWhenFailing<T>(run: () => Promise<T>, what: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ChatException) throw error;
    throw new ChatException(ChatErrorCode.Unavailable, `${what} unreachable, retry later`);
  }
}
