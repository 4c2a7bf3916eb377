import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { User } from '../../protocol/chat.events.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { announcesPresence } from '../../protocol/presence.js';
import { logFailure } from '../backend-unreachable.js';
import { presenceDelivery } from '../broker.js';
import { NodeSessions } from '../node-sessions.js';
import { PresenceStore } from '../presence-store.js';
import { LuaScript } from './lua-script.js';
import { RedisBroker } from './redis-broker.js';
import { RedisConnection } from './redis-connection.js';

const JOIN = new LuaScript(readFileSync(new URL('./presence-join.lua', import.meta.url), 'utf8'));
const LEAVE = new LuaScript(readFileSync(new URL('./presence-leave.lua', import.meta.url), 'utf8'));

/**
 * Presence in Redis, per room a hash of sockets and a hash of users with socket counts, so a user on
 * several nodes is one member. Each node keeps a liveness key alive; any node that finds a dead node's
 * key expired removes its sockets and announces the leaves, so a crashed node's users go offline.
 */
@Injectable()
export class RedisPresenceStore
  extends PresenceStore
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(RedisPresenceStore.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly sessions: NodeSessions,
    private readonly broker: RedisBroker,
  ) {
    super();
  }

  onModuleInit(): void {
    if (!this.config.REDIS_URL) return;
    const beat = () =>
      void this.heartbeat().catch((error: unknown) =>
        logFailure(this.logger, 'warn', 'heartbeat failed', error),
      );
    this.timer = setInterval(beat, this.config.NODE_HEARTBEAT_MS).unref();
    beat();
    // A Redis that restarted empty lost this node's presence: put it back.
    this.redis.client.on(
      'ready',
      () =>
        void this.restore().catch((error: unknown) =>
          logFailure(this.logger, 'warn', 'presence restore failed', error),
        ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
  }

  async join(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ first: boolean; size: number }> {
    const keys = this.redis.keys;
    const [first, size] = (await JOIN.run(
      this.redis.client,
      [
        keys.presenceConnections(room),
        keys.presenceUsers(room),
        keys.nodeRooms(this.sessions.nodeId),
      ],
      [connectionId, user.id, JSON.stringify(user), room],
    )) as [number, number];
    return { first: first === 1, size };
  }

  async leave(
    room: string,
    user: User,
    connectionId: string,
  ): Promise<{ last: boolean; size: number }> {
    const keys = this.redis.keys;
    // The node's sessions drop a room before its leaves reach here, and a join adds it before its own script
    // is sent on this same connection: a room that is empty here now has no socket of this node in Redis.
    const noneHere = this.sessions.hasRoom(room) ? '0' : '1';
    const [last, size] = (await LEAVE.run(
      this.redis.client,
      [
        keys.presenceConnections(room),
        keys.presenceUsers(room),
        keys.nodeRooms(this.sessions.nodeId),
      ],
      [connectionId, user.id, room, noneHere],
    )) as [number, number];
    return { last: last === 1, size };
  }

  async count(room: string): Promise<number> {
    return this.redis.client.hLen(this.redis.keys.presenceUsers(room));
  }

  async members(room: string): Promise<User[]> {
    const values = await this.redis.client.hVals(this.redis.keys.presenceConnections(room));
    const byId = new Map<string, User>();
    for (const value of values) {
      const user = JSON.parse(value) as User;
      byId.set(user.id, user);
    }
    return [...byId.values()];
  }

  /** Re-registers every local socket in every room it is in; idempotent, announces nothing. */
  async restore(): Promise<void> {
    // Sockets that closed while Redis was away could not leave: reconcile before re-adding the rest.
    const open = new Set([...this.sessions.all()].map((connection) => connection.id));
    await this.removeSockets(this.sessions.nodeId, (connectionId) => !open.has(connectionId));
    for (const connection of this.sessions.all()) {
      for (const room of connection.rooms) await this.join(room, connection.user, connection.id);
    }
  }

  /** Refreshes this node's liveness and cleans up after every node whose liveness expired. */
  async heartbeat(): Promise<void> {
    const keys = this.redis.keys;
    const client = this.redis.client;
    await client.set(keys.nodeAlive(this.sessions.nodeId), '1', { PX: this.config.NODE_TTL_MS });
    await client.sAdd(keys.nodes(), this.sessions.nodeId);
    for (const nodeId of await client.sMembers(keys.nodes())) {
      if (nodeId === this.sessions.nodeId || (await client.exists(keys.nodeAlive(nodeId))))
        continue;
      // One node cleans up after a dead one; the lock outlives the work.
      const locked = await client.set(keys.sweepLock(nodeId), this.sessions.nodeId, {
        NX: true,
        PX: this.config.NODE_TTL_MS,
      });
      if (locked) await this.sweep(nodeId);
    }
  }

  private async sweep(deadNodeId: string): Promise<void> {
    const keys = this.redis.keys;
    const client = this.redis.client;
    await this.removeSockets(deadNodeId, () => true);
    await client.del(keys.nodeRooms(deadNodeId));
    await client.sRem(keys.nodes(), deadNodeId);
    this.logger.log(`node ${deadNodeId} is gone: its sockets left their rooms`);
  }

  /** Removes a node's sockets that `remove` picks from presence, announcing the users who left. */
  private async removeSockets(
    nodeId: string,
    remove: (connectionId: string) => boolean,
  ): Promise<void> {
    const keys = this.redis.keys;
    const client = this.redis.client;
    for (const room of await client.sMembers(keys.nodeRooms(nodeId))) {
      const entries = await client.hGetAll(keys.presenceConnections(room));
      for (const [connectionId, userJson] of Object.entries(entries)) {
        if (!connectionId.startsWith(`${nodeId}.`) || !remove(connectionId)) continue;
        const user = JSON.parse(userJson) as User;
        const { last, size } = await this.leave(room, user, connectionId);
        if (last) this.swept(room, user, size);
        if (last && announcesPresence(size + 1, this.config.PRESENCE_MAX_MEMBERS))
          await this.broker.publish([
            presenceDelivery(room, user, 'leave', this.config.DEFAULT_ROOM),
          ]);
      }
    }
  }
}
