import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ChatMessage, DirectMessage } from '../../protocol/chat.events.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import {
  MessageStore,
  type PendingSend,
  type PendingWrite,
  sendsOnly,
  type Recovery,
  type RecoveryLimits,
  type StoredSend,
} from '../message-store.js';
import { userRateExceeded, type SendRefusal } from '../send-refusal.js';
import { LuaScript } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';

const APPEND = new LuaScript(readFileSync(new URL('./append.lua', import.meta.url), 'utf8'));
const RECOVER = new LuaScript(readFileSync(new URL('./recover.lua', import.meta.url), 'utf8'));

/** A stream entry as Redis returns it: id, then a flat list of field, value. */
type RawEntry = [string, string[]];

/** A message id: `<epoch>:<stream id>`. */
interface ParsedId {
  epoch: string;
  streamId: string;
}

/**
 * History in Redis: a stream per room (`XADD MAXLEN ~`), ids `<epoch>:<stream id>`; one script per batch
 * stores, dedupes, rate-limits per user and publishes, so publish order equals stream order on every node.
 * Every stream and its epoch key expire `HISTORY_TTL_MS` after their last message.
 */
@Injectable()
export class RedisMessageStore extends MessageStore {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  async append(writes: readonly PendingWrite[]): Promise<(StoredSend | SendRefusal)[]> {
    const batch = sendsOnly(writes);
    const keys = this.redis.keys;
    const now = Date.now();
    const second = Math.floor(now / 1000);
    const args = [
      String(now),
      String(this.config.DEDUPE_TTL_MS),
      String(this.config.HISTORY_MAX_MESSAGES),
      randomBytes(4).toString('hex'),
      String(this.config.USER_RATE_LIMIT_PER_SECOND),
      String(batch.length),
      String(this.config.HISTORY_TTL_MS),
    ];
    for (const send of batch) {
      const room = send.kind === 'room';
      args.push(
        send.kind,
        room ? keys.roomLog(send.room) : keys.directLog(send.from.id, send.to),
        room ? keys.roomEpoch(send.room) : keys.directEpoch(),
        send.dedupeKey ? keys.dedupe(send.dedupeKey) : '',
        keys.userRate(send.from.id, second),
        room ? keys.roomChannel(send.room) : keys.userChannel(send.to),
        room ? '' : keys.userChannel(send.from.id),
        JSON.stringify(send.from),
        send.text,
        send.origin,
        room ? send.room : send.to,
      );
    }
    const replies = (await APPEND.run(this.redis.client, [], args)) as [string, string][];
    return replies.map(([status, value], i) => {
      if (status === 'rate') return userRateExceeded(now);
      if (status === 'dup') return { ...(JSON.parse(value) as StoredSend), duplicate: true };
      const send = batch[i];
      return send.kind === 'room'
        ? {
            kind: 'room',
            duplicate: false,
            message: { id: value, room: send.room, from: send.from, text: send.text, ts: now },
          }
        : {
            kind: 'dm',
            duplicate: false,
            message: {
              id: value,
              from: send.from,
              to: send.to,
              text: send.text,
              ts: now,
            } satisfies DirectMessage,
          };
    });
  }

  async earlierSend(send: PendingSend): Promise<StoredSend | undefined> {
    if (!send.dedupeKey) return undefined;
    const value = (await this.redis.client.sendCommand([
      'GET',
      this.redis.keys.dedupe(send.dedupeKey),
    ])) as string | null;
    return value ? { ...(JSON.parse(value) as StoredSend), duplicate: true } : undefined;
  }

  async latest(room: string, limit: number): Promise<ChatMessage[]> {
    const [epoch, entries] = await this.read(room, ['+', '-', 'COUNT', String(limit)]);
    return entries.reverse().map((entry) => toMessage(room, epoch, entry));
  }

  async after(room: string, since: string, limits: RecoveryLimits): Promise<Recovery> {
    const parsed = parseId(since);
    if (parsed) {
      const keys = [this.redis.keys.roomLog(room), this.redis.keys.roomEpoch(room)];
      const args = [parsed.epoch, parsed.streamId, String(limits.max)];
      const reply = (await RECOVER.run(this.redis.client, keys, args)) as [string, RawEntry[]?];
      if (reply[0] === 'ok') {
        return {
          messages: (reply[1] ?? []).map((entry) => toMessage(room, parsed.epoch, entry)),
          recovered: true,
        };
      }
    }
    return { messages: await this.latest(room, limits.fallback), recovered: false };
  }

  async before(room: string, before: string, limit: number): Promise<ChatMessage[]> {
    const parsed = parseId(before);
    if (!parsed) return [];
    const [epoch, entries] = await this.read(room, [
      `(${parsed.streamId}`,
      '-',
      'COUNT',
      String(limit),
    ]);
    if (epoch !== parsed.epoch) return [];
    return entries.reverse().map((entry) => toMessage(room, epoch, entry));
  }

  async between(room: string, after: string, until: string, limit: number): Promise<ChatMessage[]> {
    const [from, to] = [parseId(after), parseId(until)];
    if (!from || !to || from.epoch !== to.epoch) return [];
    const entries = (await this.redis.client.sendCommand([
      'XRANGE',
      this.redis.keys.roomLog(room),
      `(${from.streamId}`,
      to.streamId,
      'COUNT',
      String(limit),
    ])) as RawEntry[];
    return entries.map((entry) => toMessage(room, from.epoch, entry));
  }

  isAfter(a: string, b: string): boolean {
    const [pa, pb] = [parseId(a), parseId(b)];
    // Ids of different epochs cannot be ordered: deliver rather than drop.
    if (!pa || !pb || pa.epoch !== pb.epoch) return true;
    return compareStreamIds(pa.streamId, pb.streamId) > 0;
  }

  async isReady(): Promise<boolean> {
    if (!this.redis.isReady) return false;
    return (await this.redis.client.ping()) === 'PONG';
  }

  private async read(room: string, range: string[]): Promise<[string, RawEntry[]]> {
    // Sent in one tick, so node-redis pipelines them into one round trip.
    const [epoch, entries] = await Promise.all([
      this.redis.client.sendCommand(['GET', this.redis.keys.roomEpoch(room)]) as Promise<
        string | null
      >,
      this.redis.client.sendCommand([
        'XREVRANGE',
        this.redis.keys.roomLog(room),
        ...range,
      ]) as Promise<RawEntry[]>,
    ]);
    return [epoch ?? '', epoch ? entries : []];
  }
}

/** Splits `<epoch>:<ms>-<seq>`; undefined for anything else. */
export function parseId(id: string): ParsedId | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0) return undefined;
  const streamId = id.slice(colon + 1);
  return /^\d+-\d+$/.test(streamId) ? { epoch: id.slice(0, colon), streamId } : undefined;
}

/** Orders two stream ids (`<ms>-<seq>`) numerically. */
function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

function toMessage(room: string, epoch: string, [streamId, fields]: RawEntry): ChatMessage {
  const values: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) values[fields[i]] = fields[i + 1];
  return {
    id: `${epoch}:${streamId}`,
    room,
    from: JSON.parse(values.f) as ChatMessage['from'],
    text: values.t,
    ts: Number(values.ts),
  };
}
