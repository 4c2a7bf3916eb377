import { Injectable } from '@nestjs/common';
import { SlowModeSlots } from '../moderation-store.js';

/** Most slots kept before the ended ones are swept: bounds the map whatever the rooms and users. */
const SWEEP_AT = 10_000;

/** Slow mode on one node: when each user's slot in each room frees up. */
@Injectable()
export class MemorySlowModeSlots extends SlowModeSlots {
  /** `<room> <user>` → when the slot frees up (ms since the epoch). */
  private readonly freeAt = new Map<string, number>();

  take(room: string, userId: string, intervalMs: number, now: number): number {
    // A room name has no space, so no two pairs share a key.
    const key = `${room} ${userId}`;
    const free = this.freeAt.get(key);
    if (free !== undefined && free > now) return free - now;
    if (this.freeAt.size >= SWEEP_AT) this.sweep(now);
    this.freeAt.set(key, now + intervalMs);
    return 0;
  }

  private sweep(now: number): void {
    for (const [key, free] of this.freeAt) if (free <= now) this.freeAt.delete(key);
  }
}
