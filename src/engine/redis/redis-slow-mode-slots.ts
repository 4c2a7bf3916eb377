import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { SlowModeSlots } from '../moderation-store.js';
import { LuaScript } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';

const TAKE = new LuaScript(readFileSync(new URL('./slow-mode-take.lua', import.meta.url), 'utf8'));

/** Slow mode across nodes: a key per user and room that lives for the room's interval (`SET NX PX`). */
@Injectable()
export class RedisSlowModeSlots extends SlowModeSlots {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async take(room: string, userId: string, intervalMs: number): Promise<number> {
    const key = this.redis.keys.slowModeSlot(room, userId);
    return Number(await TAKE.run(this.redis.client, [key], [String(intervalMs)]));
  }
}
