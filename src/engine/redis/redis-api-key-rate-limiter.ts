import { readFileSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { ApiKeyRateLimiter } from '../api-key-rate-limiter.js';
import { withTimeout } from '../with-timeout.js';
import { LuaScript } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';

const TAKE = new LuaScript(readFileSync(new URL('./api-key-take.lua', import.meta.url), 'utf8'));

/**
 * Longest a request waits for its token. A closed connection fails at once (no offline queue); this
 * bounds a Redis that stops answering without closing, which node-redis would wait on forever.
 */
const TAKE_TIMEOUT_MS = 1000;

/** The API keys' token buckets across nodes: a hash per key id, taken from atomically by one script. */
@Injectable()
export class RedisApiKeyRateLimiter extends ApiKeyRateLimiter {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  async take(keyId: string): Promise<number> {
    const run = TAKE.run(
      this.redis.client,
      [this.redis.keys.apiKeyRate(keyId)],
      [
        String(Date.now()),
        String(this.config.SERVER_API_RATE_PER_SECOND),
        String(this.config.SERVER_API_RATE_BURST),
      ],
    );
    return Number(await withTimeout(run, TAKE_TIMEOUT_MS, 'Redis'));
  }
}
