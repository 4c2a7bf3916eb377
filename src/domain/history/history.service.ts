import { Inject, Injectable } from '@nestjs/common';
import { RecentHistoryCache } from '../../cache/recent-history.cache.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { ConversationStore } from '../../engine/conversation-store.js';
import { MessageStore, type Recovery } from '../../engine/message-store.js';
import type {
  ChatMessage,
  ConversationName,
  MessageChange,
  ServerEvents,
  User,
} from '../../protocol/chat.events.js';
import { needsDatabase } from '../conversations/needs-database.js';

/** Messages a join or a `history` request shows. */
export const HISTORY_PAGE = 50;

/**
 * Reads room history: the snapshot shown on join, recovery after `since`, and older pages. Every reply is
 * capped: at most RECOVERY_MAX_MESSAGES recovered, at most REPLY_MAX_BYTES of messages, the oldest left out.
 */
@Injectable()
export class HistoryService {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly store: MessageStore,
    private readonly recent: RecentHistoryCache,
    @Inject(ConversationStore) private readonly conversations: ConversationStore | null,
  ) {}

  /**
   * A `history` page of a room or of the user's DM conversation with another user (a database only),
   * older than `before` (or the latest), oldest first, within REPLY_MAX_BYTES.
   */
  async conversationPage(
    user: User,
    conversation: ConversationName,
    before: string | undefined,
    limit = HISTORY_PAGE,
  ): Promise<ServerEvents['history']> {
    if (conversation.room !== undefined)
      return {
        room: conversation.room,
        messages: await this.page(conversation.room, before, limit),
      };
    const messages = await needsDatabase(this.conversations).directPage(
      user.id,
      conversation.with,
      before,
      limit,
    );
    return { with: conversation.with, messages: this.withinReplyBytes(messages) };
  }

  /**
   * What `joined.messages` shows: the latest page, or everything after `since` when the store still has it
   * and it fits the caps; `recovered: false` otherwise, and the client pages older with `history`.
   */
  async snapshot(room: string, since?: string): Promise<Recovery> {
    if (since === undefined) {
      // Capped as it is read from the store, so that the cached snapshot is the capped one: a join that
      // hits the cache serializes nothing to measure it. Capping keeps the newest message, the cache's head.
      const latest = await this.recent.latest(room, async () =>
        this.withinReplyBytes(await this.store.latest(room, HISTORY_PAGE)),
      );
      return { messages: latest, recovered: false };
    }
    const recovery = await this.store.after(room, since, {
      max: this.config.RECOVERY_MAX_MESSAGES,
      fallback: HISTORY_PAGE,
    });
    if (recovery.changes === undefined) {
      const messages = this.withinReplyBytes(recovery.messages);
      return { messages, recovered: recovery.recovered && messages === recovery.messages };
    }
    // Changes share the reply's bytes with the messages; when they alone do not fit, the client is told
    // it did not recover, and reloads what it holds with `history` (which shows current state).
    const changeBytes = bytesOf(recovery.changes);
    const fits = changeBytes <= this.config.REPLY_MAX_BYTES;
    const messages = this.withinReplyBytes(
      recovery.messages,
      fits ? this.config.REPLY_MAX_BYTES - changeBytes : this.config.REPLY_MAX_BYTES,
    );
    const recovered = recovery.recovered && fits && messages === recovery.messages;
    return { messages, recovered, changes: fits ? recovery.changes : [] };
  }

  /** A page of messages older than `before` (or the latest), oldest first, within REPLY_MAX_BYTES. */
  async page(
    room: string,
    before: string | undefined,
    limit = HISTORY_PAGE,
  ): Promise<ChatMessage[]> {
    const messages =
      before === undefined
        ? await this.store.latest(room, limit)
        : await this.store.before(room, before, limit);
    return this.withinReplyBytes(messages);
  }

  /** Whether a live message id is newer than the last one a snapshot showed. */
  isNewer(id: string, lastShown: string | undefined): boolean {
    return lastShown === undefined || this.store.isAfter(id, lastShown);
  }

  /**
   * The newest of `messages` whose serialized bytes fit REPLY_MAX_BYTES, oldest first; `messages` itself
   * when all fit. The newest message is always kept, so that a client can page on from it.
   */
  private withinReplyBytes<M>(messages: M[], budget = this.config.REPLY_MAX_BYTES): M[] {
    let bytes = 0;
    for (let i = messages.length - 1; i >= 0; i -= 1) {
      // Plus one for the comma between messages in the array.
      bytes += Buffer.byteLength(JSON.stringify(messages[i])) + 1;
      if (bytes > budget && i < messages.length - 1) return messages.slice(i + 1);
    }
    return messages;
  }
}

/** The serialized bytes of a list of changes, as a reply carries them. */
function bytesOf(changes: readonly MessageChange[]): number {
  return changes.length === 0 ? 0 : Buffer.byteLength(JSON.stringify(changes));
}
