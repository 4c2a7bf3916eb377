import { CacheModule } from '@nestjs/cache-manager';
import { Global, Logger, Module } from '@nestjs/common';
import { createKeyv } from '@keyv/redis';
import { CacheableMemory } from 'cacheable';
import { Keyv } from 'keyv';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { isBackendUnreachable } from '../engine/backend-unreachable.js';
import { RecentHistoryCache } from './recent-history.cache.js';
import { RoomHeads } from './room-heads.js';

/** Entries the in-process tier keeps at most (least recently used go first). */
const MEMORY_ENTRIES = 10_000;

/**
 * The cache behind `@nestjs/cache-manager`: an in-process LRU tier, and with REDIS_URL a Redis tier
 * (`@keyv/redis`) shared by every node. Named so that it cannot clash with Nest's own `CacheModule`.
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => {
        const memory = new Keyv({ store: new CacheableMemory({ lruSize: MEMORY_ENTRIES }) });
        if (!config.REDIS_URL) return { stores: [memory], ttl: config.HISTORY_CACHE_TTL_MS };
        const redis = createKeyv(config.REDIS_URL, {
          namespace: `${config.REDIS_KEY_PREFIX}cache`,
        });
        const logger = new Logger('RedisCache');
        // A Redis outage must cost cache hits, not the process: reads fall through. The outage itself is
        // logged once by the engine's connection to the same Redis; the cache's reconnect errors are debug.
        redis.on('error', (error: unknown) =>
          isBackendUnreachable(error) ? logger.debug(String(error)) : logger.warn(String(error)),
        );
        return { stores: [memory, redis], ttl: config.HISTORY_CACHE_TTL_MS };
      },
    }),
  ],
  providers: [RecentHistoryCache, RoomHeads],
  exports: [RecentHistoryCache, RoomHeads],
})
export class RedisCacheModule {}
