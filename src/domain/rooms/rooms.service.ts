import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HistoryService } from '../history/history.service.js';
import type { ChatMessage, MessageChange, User } from '../../protocol/chat.events.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ChatException } from '../chat.exception.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { Broker, presenceAudience, presenceDelivery } from '../../engine/broker.js';
import { PresenceStore } from '../../engine/presence-store.js';
import { ConversationStore } from '../../engine/conversation-store.js';
import { logFailure } from '../../engine/backend-unreachable.js';
import { announcesPresence } from '../../protocol/presence.js';
import { ChatObserver, NoChatObserver } from '../chat-observer.js';
import { SessionDirectory, type ChatSession } from '../session.js';
import { ModerationService } from '../moderation/moderation.service.js';

/** What a join shows the joining socket. */
export interface JoinSnapshot {
  room: string;
  members: User[];
  messages: ChatMessage[];
  recovered: boolean;
  /** With `since` and a database: messages at or before it changed after it. */
  changes?: MessageChange[];
}

/** Room membership and presence: who is in which room, on this node and (through the engine) on all. */
@Injectable()
export class RoomsService {
  private readonly logger = new Logger(RoomsService.name);
  private readonly leaving = new Set<Promise<void>>();
  /** This node's sockets that joined the default room with `join`: they hear its presence. */
  private readonly watchers = new Set<ChatSession>();
  private readonly observer: ChatObserver;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly directory: SessionDirectory,
    private readonly presence: PresenceStore,
    private readonly broker: Broker,
    private readonly history: HistoryService,
    @Inject(ConversationStore) private readonly conversations: ConversationStore | null,
    @Optional() observer?: ChatObserver,
    @Optional() private readonly moderation?: ModerationService,
  ) {
    this.observer = observer ?? new NoChatObserver();
    // A crashed node's users are taken out of their rooms by whichever node sweeps up after it.
    presence.onSwept((room, user, size) => this.observer.memberLeft(room, user, size === 0));
  }

  /**
   * Puts a new connection in the default room, announced (to the room's watchers) as any join is; not a
   * user banned from it.
   */
  async connect(connection: ChatSession): Promise<void> {
    const room = this.config.DEFAULT_ROOM;
    if (!room || this.moderation?.isBanned(connection.user.id, room)) return;
    const { first, size } = await this.enter(connection, room);
    if (first) this.observer.memberJoined(room, connection.user, size === 1);
    if (first && announcesPresence(size, this.config.PRESENCE_MAX_MEMBERS))
      this.announce(connection, room, 'join');
  }

  /** Resolves once every disconnect under way has finished (graceful shutdown waits for it). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.leaving);
  }

  /** Takes a closed connection out of every room (announcing the leaves) and stops its DMs. */
  async disconnect(connection: ChatSession): Promise<void> {
    const leaving = this.leaveAll(connection);
    this.leaving.add(leaving);
    try {
      await leaving;
    } finally {
      this.leaving.delete(leaving);
    }
  }

  private async leaveAll(connection: ChatSession): Promise<void> {
    await this.broker.unwatchUser(connection.user.id);
    await this.unwatchDefaultRoom(connection);
    await Promise.all(
      [...connection.rooms].map((room) => this.exit(connection, room, 'disconnect')),
    );
  }

  /**
   * Joins a room and sends `joined` itself (with a database, recording the membership: the first join
   * sets the user's read pointer to the room's last message), holding the room's live frames meanwhile so that the snapshot
   * and the live stream neither overlap nor leave a gap. Joining a room already joined re-sends the snapshot.
   */
  async join(
    connection: ChatSession,
    room: string,
    since: string | undefined,
    sendJoined: (snapshot: JoinSnapshot) => void,
  ): Promise<void> {
    const isNew = !connection.rooms.has(room);
    if (isNew && connection.rooms.size >= this.config.MAX_ROOMS_PER_CONNECTION) {
      throw new ChatException(
        ChatErrorCode.Forbidden,
        `a connection may be in at most ${this.config.MAX_ROOMS_PER_CONNECTION} rooms`,
        {
          maxRooms: this.config.MAX_ROOMS_PER_CONNECTION,
        },
      );
    }
    connection.beginJoin(room);
    let lastShown: string | undefined;
    try {
      const size = isNew ? await this.enter(connection, room) : undefined;
      // Before the snapshot: a presence event after it must reach this socket.
      if (room === this.config.DEFAULT_ROOM) await this.watchDefaultRoom(connection);
      // The membership is recorded before `joined`: a `conversations` sent after it lists the room.
      const [recovery, { members, count }] = await Promise.all([
        this.history.snapshot(room, since),
        this.members(room),
        this.conversations?.recordJoin(connection.user, room),
      ]);
      lastShown = recovery.messages.at(-1)?.id;
      sendJoined({ room, members, ...recovery });
      if (size?.first) this.observer.memberJoined(room, connection.user, size.size === 1);
      if (size?.first && announcesPresence(count, this.config.PRESENCE_MAX_MEMBERS))
        this.announce(connection, room, 'join');
    } catch (error) {
      if (isNew) await this.exit(connection, room, 'silent');
      if (isNew && room === this.config.DEFAULT_ROOM) await this.unwatchDefaultRoom(connection);
      throw error;
    } finally {
      connection.endJoin(room, (id) => this.history.isNewer(id, lastShown));
    }
  }

  /** Who is in a room, across nodes; the list is left empty above PRESENCE_MAX_MEMBERS. */
  async members(room: string): Promise<{ members: User[]; count: number }> {
    const members = await this.presence.members(room);
    const listed = members.length <= this.config.PRESENCE_MAX_MEMBERS;
    return { members: listed ? members : [], count: members.length };
  }

  /** Leaves a joined room and announces it. */
  async leave(connection: ChatSession, room: string): Promise<void> {
    await this.exit(connection, room, 'leave');
    if (room === this.config.DEFAULT_ROOM) await this.unwatchDefaultRoom(connection);
  }

  private async watchDefaultRoom(connection: ChatSession): Promise<void> {
    if (this.watchers.has(connection)) return;
    this.watchers.add(connection);
    const audience = presenceAudience(this.config.DEFAULT_ROOM, this.config.DEFAULT_ROOM);
    if (this.directory.addToRoom(audience, connection) === 1) await this.broker.watchRoom(audience);
  }

  private async unwatchDefaultRoom(connection: ChatSession): Promise<void> {
    if (!this.watchers.delete(connection)) return;
    const audience = presenceAudience(this.config.DEFAULT_ROOM, this.config.DEFAULT_ROOM);
    if (this.directory.removeFromRoom(audience, connection) === 0)
      await this.broker.unwatchRoom(audience);
  }

  private async enter(
    connection: ChatSession,
    room: string,
  ): Promise<{ first: boolean; size: number }> {
    connection.rooms.add(room);
    if (this.directory.addToRoom(room, connection) === 1) await this.broker.watchRoom(room);
    return this.presence.join(room, connection.user, connection.id);
  }

  /** Takes a session out of a room; a `silent` exit (a join that failed) announces nothing. */
  private async exit(
    connection: ChatSession,
    room: string,
    how: 'leave' | 'disconnect' | 'silent',
  ): Promise<void> {
    if (!connection.rooms.delete(room)) return;
    if (this.directory.removeFromRoom(room, connection) === 0) await this.broker.unwatchRoom(room);
    const { last, size } = await this.presence.leave(room, connection.user, connection.id);
    if (last && how !== 'silent') this.observer.memberLeft(room, connection.user, size === 0);
    if (last && how !== 'silent' && announcesPresence(size + 1, this.config.PRESENCE_MAX_MEMBERS))
      this.announce(connection, room, 'leave');
  }

  private announce(connection: ChatSession, room: string, action: 'join' | 'leave'): void {
    // Presence is best effort: with the broker unreachable the event is lost, not the join or leave.
    this.broker
      .publish([
        presenceDelivery(room, connection.user, action, this.config.DEFAULT_ROOM, connection.id),
      ])
      .catch((error: unknown) =>
        logFailure(this.logger, 'warn', `presence ${action} not published`, error),
      );
  }
}
