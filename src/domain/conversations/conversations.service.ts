import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { logFailure } from '../../engine/backend-unreachable.js';
import { Broker, type Delivery } from '../../engine/broker.js';
import { ConversationStore } from '../../engine/conversation-store.js';
import { PresenceStore } from '../../engine/presence-store.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import type {
  Conversation,
  ConversationName,
  ServerEvents,
  User,
} from '../../protocol/chat.events.js';
import { ChatException } from '../chat.exception.js';
import type { ChatSession } from '../session.js';
import { needsDatabase } from './needs-database.js';
import { TrailingThrottle } from './trailing-throttle.js';

/** Conversations a `conversations` reply lists when the request names no `limit`. */
export const CONVERSATIONS_PAGE = 50;

/** A receipt waiting in the throttle: who read what, where. */
interface PendingReceipt {
  reader: User;
  conversation: ConversationName;
  id: string;
}

/**
 * The conversation list and read state: `conversations`, `read` (the pointer, its sync to the user's
 * other sockets on every node, and the receipts the other members see, throttled per user and
 * conversation on this node). Needs a database; without one every call answers `unavailable`.
 */
@Injectable()
export class ConversationsService implements OnApplicationShutdown {
  private readonly logger = new Logger(ConversationsService.name);
  private readonly receipts: TrailingThrottle<PendingReceipt>;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Inject(ConversationStore) private readonly store: ConversationStore | null,
    private readonly broker: Broker,
    private readonly presence: PresenceStore,
  ) {
    this.receipts = new TrailingThrottle(config.READ_RECEIPT_INTERVAL_MS, (receipt) => {
      this.sendReceipt(receipt).catch((error: unknown) =>
        logFailure(this.logger, 'warn', 'receipt not published', error),
      );
    });
  }

  onApplicationShutdown(): void {
    this.receipts.clear();
  }

  /** The user's conversations, most recent activity first, at most `limit`. */
  async list(user: User, limit = CONVERSATIONS_PAGE): Promise<Conversation[]> {
    return needsDatabase(this.store).list(user.id, limit);
  }

  /**
   * Moves the user's read pointer to `id` (never back) and answers where it is. A move is synced to the
   * user's other sockets, and shown to the other members as a receipt unless `isPrivate`.
   */
  async read(
    session: ChatSession,
    conversation: ConversationName,
    id: string,
    isPrivate: boolean,
  ): Promise<ServerEvents['read']> {
    const outcome = await needsDatabase(this.store).read(session.user, conversation, id, isPrivate);
    if (outcome.kind === 'not-member')
      throw new ChatException(ChatErrorCode.NotInRoom, `join "${conversation.room}" first`);
    if (outcome.kind === 'not-found')
      throw new ChatException(ChatErrorCode.NotFound, `no message "${id}" in that conversation`);
    const state = { ...conversation, id: outcome.id, unread: outcome.unread };
    if (outcome.moved) {
      const sync: Delivery = {
        target: 'user',
        userIds: [session.user.id],
        event: 'read',
        data: state,
        exclude: session.id,
      };
      this.broker
        .publish([sync])
        .catch((error: unknown) => logFailure(this.logger, 'warn', 'read not synced', error));
      if (!isPrivate)
        this.receipts.offer(receiptKey(session.user.id, conversation), {
          reader: session.user,
          conversation,
          id: outcome.id,
        });
    }
    return state;
  }

  /** Publishes one receipt: to a room's other users (none past PRESENCE_MAX_MEMBERS), or to the DM's other user. */
  private async sendReceipt({ reader, conversation, id }: PendingReceipt): Promise<void> {
    if (conversation.room !== undefined) {
      const { room } = conversation;
      if ((await this.presence.count(room)) > this.config.PRESENCE_MAX_MEMBERS) return;
      await this.broker.publish([
        {
          target: 'room',
          room,
          event: 'receipt',
          data: { room, user: reader, id },
          excludeUser: reader.id,
        },
      ]);
      return;
    }
    if (conversation.with === reader.id) return;
    await this.broker.publish([
      {
        target: 'user',
        userIds: [conversation.with],
        event: 'receipt',
        data: { with: reader.id, user: reader, id },
      },
    ]);
  }
}

/** The throttle's key: one user in one conversation. */
function receiptKey(userId: string, conversation: ConversationName): string {
  const where =
    conversation.room !== undefined ? `room:${conversation.room}` : `dm:${conversation.with}`;
  return `${userId.length}:${userId}:${where}`;
}
