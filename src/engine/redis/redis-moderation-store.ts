import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import {
  moderationKeyString,
  ModerationStore,
  type ModerationEntry,
  type ModerationFull,
  type ModerationKey,
} from '../moderation-store.js';
import { LuaScript } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';

const SET = new LuaScript(readFileSync(new URL('./moderation-set.lua', import.meta.url), 'utf8'));
const LOAD = new LuaScript(readFileSync(new URL('./moderation-load.lua', import.meta.url), 'utf8'));

/**
 * Moderation entries shared by every node: one hash of entries (key → JSON) and a sorted set of when the
 * timed ones end, purged as entries are set and loaded; the bound on entries is checked in the same script.
 */
@Injectable()
export class RedisModerationStore extends ModerationStore {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async load(now: number): Promise<ModerationEntry[]> {
    const { keys } = this.redis;
    const values = (await LOAD.run(
      this.redis.client,
      [keys.moderation(), keys.moderationEnds()],
      [String(now)],
    )) as string[];
    return values.map((value) => JSON.parse(value) as ModerationEntry);
  }

  async set(entry: ModerationEntry, max: number, now: number): Promise<ModerationFull | undefined> {
    const { keys } = this.redis;
    const stored = await SET.run(
      this.redis.client,
      [keys.moderation(), keys.moderationEnds()],
      [
        moderationKeyString(entry),
        JSON.stringify(entry),
        entry.until === undefined ? '' : String(entry.until),
        String(max),
        String(now),
      ],
    );
    return stored === 1 ? undefined : { refused: 'full', max };
  }

  async lift(key: ModerationKey): Promise<boolean> {
    const { keys } = this.redis;
    const field = moderationKeyString(key);
    const [removed] = await this.redis.client
      .multi()
      .hDel(keys.moderation(), field)
      .zRem(keys.moderationEnds(), field)
      .exec();
    return Number(removed) === 1;
  }
}
