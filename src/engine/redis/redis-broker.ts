import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ChatMessage } from '../../protocol/chat.events.js';
import { Broker, type Delivery, type RoomDelivery } from '../broker.js';
import { MessageStore } from '../message-store.js';
import { RedisConnection } from './redis-connection.js';
import { logFailure } from '../backend-unreachable.js';

/** Messages read per `between` call when catching up: a long gap is read, and delivered, in pages. */
const CATCH_UP_PAGE = 500;

/** A delivery as published on a channel; the channel names its room or user. */
interface WireDelivery {
  event: Delivery['event'];
  data: Delivery['data'];
  id?: string;
  /** The id published before this one in the same room, for gap detection. */
  prev?: string | null;
  exclude?: string;
  excludeUser?: string;
}

/**
 * Pub/sub fan-out across nodes: a channel per room (subscribed while this node has members in it) and
 * per user (while this node has their sockets). It tracks the last message id per room, backfills from
 * the message store in use (the Redis streams, or the database) when pub/sub skipped some (a gap, or a
 * reconnect), and drops what it already delivered.
 */
@Injectable()
export class RedisBroker extends Broker implements OnModuleInit {
  private readonly logger = new Logger(RedisBroker.name);
  private listener: ((batch: readonly Delivery[]) => void) | undefined;
  /** Last message id delivered per watched room; present only for rooms watched without a break. */
  private readonly lastSeen = new Map<string, string>();
  private readonly watchedRooms = new Set<string>();
  /** Sockets per user on this node: their DM channel is subscribed while the count is positive. */
  private readonly userSockets = new Map<string, number>();
  /** Receiving is serialized so that a backfill finishes before later messages are delivered. */
  private receiving: Promise<void> = Promise.resolve();
  private readonly onChannelMessage = (payload: string, channel: string) => {
    this.receiving = this.receiving
      .then(() => this.receive(payload, channel))
      .catch((error: unknown) => logFailure(this.logger, 'error', 'delivery failed', error));
  };

  /** The bound `MessageStore`, which publishes through this broker: looked up once both exist. */
  private store!: MessageStore;

  constructor(
    private readonly redis: RedisConnection,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  onModuleInit(): void {
    if (!this.redisEnabled()) return;
    this.store = this.moduleRef.get(MessageStore, { strict: false });
    // node-redis resubscribes by itself after a reconnect; what was published meanwhile comes from the
    // streams, once both connections are back (whichever comes back last starts the catch-up).
    const catchUpWhenReady = () => {
      if (!this.redis.isReady) return;
      this.receiving = this.receiving
        .then(() => this.catchUp())
        .catch((error: unknown) => logFailure(this.logger, 'warn', 'catch-up failed', error));
    };
    this.redis.subscriber.on('ready', catchUpWhenReady);
    this.redis.client.on('ready', catchUpWhenReady);
  }

  async publish(batch: readonly Delivery[]): Promise<void> {
    const byChannel = new Map<string, WireDelivery[]>();
    const add = (channel: string, delivery: WireDelivery) => {
      const list = byChannel.get(channel);
      if (list) list.push(delivery);
      else byChannel.set(channel, [delivery]);
    };
    for (const delivery of batch) {
      const wire: WireDelivery = {
        event: delivery.event,
        data: delivery.data,
        // Other nodes order a join's held frames and invalidate their cached history by it.
        id: delivery.target === 'room' ? delivery.id : undefined,
        exclude: delivery.exclude,
      };
      if (delivery.target === 'room' && delivery.id !== undefined) {
        wire.id = delivery.id;
        wire.prev = delivery.prev ?? null;
      }
      if (delivery.target === 'room' && delivery.excludeUser !== undefined)
        wire.excludeUser = delivery.excludeUser;
      if (delivery.target === 'room') add(this.redis.keys.roomChannel(delivery.room), wire);
      else
        for (const userId of new Set(delivery.userIds))
          add(this.redis.keys.userChannel(userId), wire);
    }
    await Promise.all(
      [...byChannel].map(([channel, list]) =>
        this.redis.client.publish(channel, JSON.stringify(list)),
      ),
    );
  }

  override async isReady(): Promise<boolean> {
    return this.redis.isReady;
  }

  listen(listener: (batch: readonly Delivery[]) => void): void {
    this.listener = listener;
  }

  async watchRoom(room: string): Promise<void> {
    this.watchedRooms.add(room);
    await this.redis.subscriber.subscribe(this.redis.keys.roomChannel(room), this.onChannelMessage);
  }

  async unwatchRoom(room: string): Promise<void> {
    this.watchedRooms.delete(room);
    this.lastSeen.delete(room);
    await this.redis.subscriber.unsubscribe(
      this.redis.keys.roomChannel(room),
      this.onChannelMessage,
    );
  }

  override async watchUser(userId: string): Promise<void> {
    const sockets = (this.userSockets.get(userId) ?? 0) + 1;
    this.userSockets.set(userId, sockets);
    // Every call waits for the subscription, so that no socket of the user is open before it exists.
    await this.redis.subscriber.subscribe(
      this.redis.keys.userChannel(userId),
      this.onChannelMessage,
    );
  }

  override async unwatchUser(userId: string): Promise<void> {
    const sockets = (this.userSockets.get(userId) ?? 0) - 1;
    if (sockets > 0) {
      this.userSockets.set(userId, sockets);
      return;
    }
    this.userSockets.delete(userId);
    await this.redis.subscriber.unsubscribe(
      this.redis.keys.userChannel(userId),
      this.onChannelMessage,
    );
  }

  private async receive(payload: string, channel: string): Promise<void> {
    const wire = JSON.parse(payload) as WireDelivery[];
    const room = this.redis.keys.roomOfChannel(channel);
    if (room === undefined) {
      const userId = this.redis.keys.userOfChannel(channel);
      if (userId === undefined) return;
      this.listener?.(
        wire.map(
          (d) =>
            ({
              target: 'user',
              userIds: [userId],
              event: d.event,
              data: d.data,
              exclude: d.exclude,
            }) as Delivery,
        ),
      );
      return;
    }
    if (!this.watchedRooms.has(room)) return;
    const out: Delivery[] = [];
    for (const d of wire) {
      if (d.event === 'message' && d.id) {
        const last = this.lastSeen.get(room);
        if (last !== undefined && !this.store.isAfter(d.id, last)) continue;
        if (last !== undefined && d.prev && d.prev !== last && this.store.isAfter(d.prev, last)) {
          // Pub/sub skipped something: the store has it.
          out.push(...(await this.missed(room, last, d.prev)).map(messageDelivery));
        }
        this.lastSeen.set(room, d.id);
      }
      out.push({
        target: 'room',
        room,
        event: d.event,
        data: d.data,
        id: d.id,
        exclude: d.exclude,
        excludeUser: d.excludeUser,
      } as RoomDelivery);
    }
    if (out.length > 0) this.listener?.(out);
  }

  /** After a reconnect: delivers, per watched room, what was stored while this node was not listening. */
  private async catchUp(): Promise<void> {
    for (const [room, last] of this.lastSeen) {
      const latest = await this.store.latest(room, 1);
      const newest = latest.at(-1)?.id;
      if (!newest || !this.store.isAfter(newest, last)) continue;
      const missed = await this.missed(room, last, newest);
      if (missed.length === 0) continue;
      this.lastSeen.set(room, missed.at(-1)!.id);
      this.listener?.(missed.map(messageDelivery));
    }
  }

  /** Every message after `last` up to `until`, read a page at a time. */
  private async missed(room: string, last: string, until: string): Promise<ChatMessage[]> {
    const missed: ChatMessage[] = [];
    for (let from = last; ;) {
      const page = await this.store.between(room, from, until, CATCH_UP_PAGE);
      missed.push(...page);
      if (page.length < CATCH_UP_PAGE) return missed;
      from = page.at(-1)!.id;
    }
  }

  private redisEnabled(): boolean {
    try {
      return Boolean(this.redis.subscriber);
    } catch {
      return false;
    }
  }
}

function messageDelivery(message: ChatMessage): RoomDelivery {
  return { target: 'room', room: message.room, event: 'message', data: message, id: message.id };
}
