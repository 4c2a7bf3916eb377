import { Injectable } from '@nestjs/common';
import { RecentHistoryCache } from '../cache/recent-history.cache.js';
import { MessageStore, type Recovery } from '../engine/message-store.js';
import type { ChatMessage } from './chat.events.js';

/** Messages a join or a `history` request shows. */
export const HISTORY_PAGE = 50;

/** Reads room history: the snapshot shown on join, recovery after `since`, and older pages. */
@Injectable()
export class HistoryService {
  constructor(
    private readonly store: MessageStore,
    private readonly recent: RecentHistoryCache,
  ) {}

  /** What `joined.messages` shows: the latest page, or everything after `since` when the store still has it. */
  snapshot(room: string, since?: string): Promise<Recovery> {
    if (since === undefined) {
      return this.recent
        .latest(room, () => this.store.latest(room, HISTORY_PAGE))
        .then((messages) => ({ messages, recovered: false }));
    }
    return this.store.after(room, since, HISTORY_PAGE);
  }

  /** A page of messages older than `before` (or the latest), oldest first. */
  page(room: string, before: string | undefined, limit = HISTORY_PAGE): Promise<ChatMessage[]> {
    return before === undefined
      ? this.store.latest(room, limit)
      : this.store.before(room, before, limit);
  }

  /** Whether a live message id is newer than the last one a snapshot showed. */
  isNewer(id: string, lastShown: string | undefined): boolean {
    return lastShown === undefined || this.store.isAfter(id, lastShown);
  }
}
