import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { ChatMessage } from '../protocol/chat.events.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { CacheKeys } from './cache-keys.js';
import { RoomHeads } from './room-heads.js';

/**
 * The recent-history snapshot served on join, cached so that a burst of joins to a hot room reads the
 * store once. A cached snapshot counts only while its last id is the last id this node fanned out in
 * that room: any write moves that head, which invalidates the entry on every node without a delete.
 * Nor does it count once its room's history expired (`HISTORY_TTL_MS` after the last message), as that
 * moves no head.
 */
@Injectable()
export class RecentHistoryCache {
  /** One store read per room at a time; concurrent misses share it while no message arrived since it began. */
  private readonly loading = new Map<
    string,
    { version: number; messages: Promise<ChatMessage[]> }
  >();

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly heads: RoomHeads,
    private readonly metrics: ChatMetrics,
  ) {}

  /** The latest page of a room: from the cache when still current, else from `load` (which fills it). */
  async latest(room: string, load: () => Promise<ChatMessage[]>): Promise<ChatMessage[]> {
    if (this.config.HISTORY_CACHE_TTL_MS === 0) return load();
    const known = this.heads.of(room)?.head;
    if (known !== undefined) {
      const cached = await this.cache
        .get<ChatMessage[]>(CacheKeys.recentHistory(room))
        .catch(() => undefined);
      if (cached && headOf(cached) === known && !this.outlived(cached)) {
        this.metrics.cacheRequests.inc({ cache: 'recent_history', result: 'hit' });
        return cached;
      }
    }
    // Read again: the cache lookup above awaited, and a message fanned out meanwhile moves the version.
    const version = this.heads.of(room)?.version ?? 0;
    // A read that began before a message was fanned out here may miss it, and the joiner was not holding
    // that message yet: sharing it would leave a gap. Only a read begun at the same version is shared.
    const pending = this.loading.get(room);
    const shared = pending?.version === version ? pending.messages : undefined;
    // Joining a read already under way costs the store nothing: that counts as a hit.
    this.metrics.cacheRequests.inc({ cache: 'recent_history', result: shared ? 'hit' : 'miss' });
    if (shared) return shared;
    const loaded = this.fill(room, load, version).finally(() => {
      if (this.loading.get(room)?.messages === loaded) this.loading.delete(room);
    });
    this.loading.set(room, { version, messages: loaded });
    return loaded;
  }

  /** Whether the store dropped this snapshot's room since: its last message is HISTORY_TTL_MS old. */
  private outlived(messages: readonly ChatMessage[]): boolean {
    const last = messages.at(-1);
    return last !== undefined && last.ts + this.config.HISTORY_TTL_MS <= Date.now();
  }

  private async fill(
    room: string,
    load: () => Promise<ChatMessage[]>,
    version: number,
  ): Promise<ChatMessage[]> {
    const messages = await load();
    this.heads.learn(room, headOf(messages), version);
    await this.cache.set(CacheKeys.recentHistory(room), messages).catch(() => undefined);
    return messages;
  }
}

function headOf(messages: readonly ChatMessage[]): string {
  return messages.at(-1)?.id ?? '';
}
