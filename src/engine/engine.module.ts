import { Global, Module, type Provider, type Type } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { databaseTarget } from '../config/database-target.js';
import { ApiKeyRateLimiter } from './api-key-rate-limiter.js';
import { Broker } from './broker.js';
import { ConversationStore } from './conversation-store.js';
import { DatabaseConversationStore } from './database/database-conversation-store.js';
import { DatabaseConnection } from './database/database-connection.js';
import { DatabaseMessageStore } from './database/database-message-store.js';
import { HistoryRetention } from './database/history-retention.js';
import { MemoryApiKeyRateLimiter } from './memory/memory-api-key-rate-limiter.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { MemoryMessageStore } from './memory/memory-message-store.js';
import { MemoryPresenceStore } from './memory/memory-presence-store.js';
import { MemorySendRateLimiter } from './memory/memory-send-rate-limiter.js';
import { MessageStore } from './message-store.js';
import { PresenceStore } from './presence-store.js';
import { RedisApiKeyRateLimiter } from './redis/redis-api-key-rate-limiter.js';
import { RedisBroker } from './redis/redis-broker.js';
import { RedisConnection } from './redis/redis-connection.js';
import { RedisMessageStore } from './redis/redis-message-store.js';
import { RedisPresenceStore } from './redis/redis-presence-store.js';
import { RedisSendRateLimiter } from './redis/redis-send-rate-limiter.js';
import { SendRateLimiter } from './send-rate-limiter.js';
import { ModerationNotices, ModerationStore, SlowModeSlots } from './moderation-store.js';
import { MemoryModerationStore } from './memory/memory-moderation-store.js';
import { MemoryModerationNotices } from './memory/memory-moderation-notices.js';
import { MemorySlowModeSlots } from './memory/memory-slow-mode-slots.js';
import { RedisModerationStore } from './redis/redis-moderation-store.js';
import { RedisModerationNotices } from './redis/redis-moderation-notices.js';
import { RedisSlowModeSlots } from './redis/redis-slow-mode-slots.js';
import { DatabaseModerationStore } from './database/database-moderation-store.js';

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

/** Binds `MessageStore` to the database when DATABASE_URL names one, else to memory or Redis as `seam` does. */
const messageStore: Provider = {
  provide: MessageStore,
  inject: [appConfig.KEY, MemoryMessageStore, RedisMessageStore, DatabaseMessageStore],
  useFactory: (
    config: AppConfig,
    memory: MemoryMessageStore,
    redis: RedisMessageStore,
    database: DatabaseMessageStore,
  ) => (databaseTarget(config).kind !== 'memory' ? database : config.REDIS_URL ? redis : memory),
};

/** Binds `ModerationStore` as `MessageStore` is bound: the database, else Redis, else memory. */
const moderationStore: Provider = {
  provide: ModerationStore,
  inject: [appConfig.KEY, MemoryModerationStore, RedisModerationStore, DatabaseModerationStore],
  useFactory: (
    config: AppConfig,
    memory: MemoryModerationStore,
    redis: RedisModerationStore,
    database: DatabaseModerationStore,
  ) => (databaseTarget(config).kind !== 'memory' ? database : config.REDIS_URL ? redis : memory),
};

/** The memory token buckets of the API keys, from SERVER_API_RATE_PER_SECOND and SERVER_API_RATE_BURST. */
const memoryApiKeyRateLimiter: Provider = {
  provide: MemoryApiKeyRateLimiter,
  inject: [appConfig.KEY],
  useFactory: (config: AppConfig) =>
    new MemoryApiKeyRateLimiter(config.SERVER_API_RATE_PER_SECOND, config.SERVER_API_RATE_BURST),
};

/**
 * Binds `ConversationStore` to the database when DATABASE_URL names one, else to null: memory and Redis
 * keep no read state, and the events that need it answer `unavailable`.
 */
const conversationStore: Provider = {
  provide: ConversationStore,
  inject: [appConfig.KEY, DatabaseConversationStore],
  useFactory: (config: AppConfig, database: DatabaseConversationStore) =>
    databaseTarget(config).kind !== 'memory' ? database : null,
};

/**
 * The engine seam: `MessageStore`, `ConversationStore` (a database only), `Broker`, `PresenceStore`,
 * `SendRateLimiter`, the server HTTP API's `ApiKeyRateLimiter` and moderation's `ModerationStore`,
 * `ModerationNotices` and `SlowModeSlots`. History and moderation entries go to the database DATABASE_URL
 * names (PostgreSQL or SQLite), else to memory (one node) or Redis; fan-out, presence, the per-user rate,
 * the API keys' rate, moderation notices and slow-mode slots are in memory on one node and in Redis when
 * REDIS_URL is set. The unused implementations stay idle.
 */
@Global()
@Module({
  providers: [
    MemoryMessageStore,
    MemoryBroker,
    MemoryPresenceStore,
    MemorySendRateLimiter,
    RedisConnection,
    RedisMessageStore,
    RedisBroker,
    RedisPresenceStore,
    RedisSendRateLimiter,
    memoryApiKeyRateLimiter,
    RedisApiKeyRateLimiter,
    DatabaseConnection,
    DatabaseMessageStore,
    HistoryRetention,
    DatabaseConversationStore,
    MemoryModerationStore,
    MemoryModerationNotices,
    MemorySlowModeSlots,
    RedisModerationStore,
    RedisModerationNotices,
    RedisSlowModeSlots,
    DatabaseModerationStore,
    messageStore,
    conversationStore,
    moderationStore,
    seam(ModerationNotices, MemoryModerationNotices, RedisModerationNotices),
    seam(SlowModeSlots, MemorySlowModeSlots, RedisSlowModeSlots),
    seam(Broker, MemoryBroker, RedisBroker),
    seam(PresenceStore, MemoryPresenceStore, RedisPresenceStore),
    seam(SendRateLimiter, MemorySendRateLimiter, RedisSendRateLimiter),
    seam(ApiKeyRateLimiter, MemoryApiKeyRateLimiter, RedisApiKeyRateLimiter),
  ],
  exports: [
    MessageStore,
    ConversationStore,
    Broker,
    PresenceStore,
    ModerationStore,
    ModerationNotices,
    SlowModeSlots,
    ApiKeyRateLimiter,
  ],
})
export class EngineModule {}
