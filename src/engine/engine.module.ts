import { Global, Module, type Provider, type Type } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { MemoryMessageStore } from './memory/memory-message-store.js';
import { MemoryPresenceStore } from './memory/memory-presence-store.js';
import { MessageStore } from './message-store.js';
import { PresenceStore } from './presence-store.js';
import { RedisBroker } from './redis/redis-broker.js';
import { RedisConnection } from './redis/redis-connection.js';
import { RedisMessageStore } from './redis/redis-message-store.js';
import { RedisPresenceStore } from './redis/redis-presence-store.js';

/** Binds one seam to the memory implementation, or to the Redis one when REDIS_URL is set. */
function seam<T>(
  token: abstract new (...args: never[]) => T,
  memory: Type<T>,
  redis: Type<T>,
): Provider {
  return {
    provide: token,
    // Injecting both (rather than looking one up) makes Nest construct them before this factory runs.
    inject: [appConfig.KEY, memory, redis],
    useFactory: (config: AppConfig, inMemory: T, inRedis: T) =>
      config.REDIS_URL ? inRedis : inMemory,
  };
}

/**
 * The engine seam: `MessageStore`, `Broker` and `PresenceStore`, in memory on one node by default,
 * in Redis when REDIS_URL is set. The unused implementation stays idle.
 */
@Global()
@Module({
  providers: [
    MemoryMessageStore,
    MemoryBroker,
    MemoryPresenceStore,
    RedisConnection,
    RedisMessageStore,
    RedisBroker,
    RedisPresenceStore,
    seam(MessageStore, MemoryMessageStore, RedisMessageStore),
    seam(Broker, MemoryBroker, RedisBroker),
    seam(PresenceStore, MemoryPresenceStore, RedisPresenceStore),
  ],
  exports: [MessageStore, Broker, PresenceStore],
})
export class EngineModule {}
