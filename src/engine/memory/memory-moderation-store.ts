import { Injectable } from '@nestjs/common';
import {
  inForce,
  moderationKeyString,
  ModerationStore,
  type ModerationEntry,
  type ModerationFull,
  type ModerationKey,
} from '../moderation-store.js';

/** Moderation entries of one node, in memory: gone with the process. */
@Injectable()
export class MemoryModerationStore extends ModerationStore {
  private readonly entries = new Map<string, ModerationEntry>();

  async load(now: number): Promise<ModerationEntry[]> {
    this.purge(now);
    return [...this.entries.values()];
  }

  async set(entry: ModerationEntry, max: number, now: number): Promise<ModerationFull | undefined> {
    const key = moderationKeyString(entry);
    if (!this.entries.has(key)) {
      if (this.entries.size >= max) this.purge(now);
      if (this.entries.size >= max) return { refused: 'full', max };
    }
    this.entries.set(key, entry);
    return undefined;
  }

  async lift(key: ModerationKey): Promise<boolean> {
    return this.entries.delete(moderationKeyString(key));
  }

  private purge(now: number): void {
    for (const [key, entry] of this.entries) if (!inForce(entry, now)) this.entries.delete(key);
  }
}
