import { Inject, Injectable } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { SendRateLimiter } from '../send-rate-limiter.js';
import { RedisConnection } from './redis-connection.js';

/**
 * The per-user send rate across nodes: the same per-second counters the Redis store's append script
 * keeps, counted here for a whole batch in one round trip (an `INCRBY` per sender).
 */
@Injectable()
export class RedisSendRateLimiter extends SendRateLimiter {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  async admit(senders: readonly string[], now: number): Promise<boolean[]> {
    const second = Math.floor(now / 1000);
    const perUser = new Map<string, number>();
    for (const userId of senders) perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
    const users = [...perUser.keys()];
    const multi = this.redis.client.multi();
    for (const userId of users) {
      const key = this.redis.keys.userRate(userId, second);
      multi.incrBy(key, perUser.get(userId)!).pExpire(key, 2000);
    }
    const replies = await multi.execAsPipeline();
    // The count each user had before this batch; their sends in it are admitted while within the rate.
    const used = new Map<string, number>();
    users.forEach((userId, i) => used.set(userId, Number(replies[2 * i]) - perUser.get(userId)!));
    return senders.map((userId) => {
      const count = used.get(userId)! + 1;
      used.set(userId, count);
      return count <= this.config.USER_RATE_LIMIT_PER_SECOND;
    });
  }
}
