import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { logFailure } from '../backend-unreachable.js';
import { ModerationNotices, type ModerationChange } from '../moderation-store.js';
import { RedisConnection } from './redis-connection.js';

/**
 * Moderation changes on one pub/sub channel that every node subscribes; after the subscriber connection
 * comes back, the listener hears `reload`, since changes published meanwhile were lost.
 */
@Injectable()
export class RedisModerationNotices extends ModerationNotices implements OnModuleInit {
  private readonly logger = new Logger(RedisModerationNotices.name);
  private listener: ((change: ModerationChange) => void) | undefined;
  private subscribed = false;
  private readonly onMessage = (payload: string) => {
    this.listener?.(JSON.parse(payload) as ModerationChange);
  };

  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async onModuleInit(): Promise<void> {
    if (!this.redisEnabled()) return;
    this.redis.subscriber.on('ready', () => {
      // node-redis subscribes again by itself after a reconnect; what was published meanwhile is lost.
      if (this.subscribed) this.listener?.({ op: 'reload' });
      else void this.subscribe();
    });
    // Awaited, so that a node is listening before it serves anyone.
    if (this.redis.subscriber.isReady) await this.subscribe();
  }

  async publish(change: ModerationChange): Promise<void> {
    await this.redis.client.publish(this.redis.keys.moderationChannel(), JSON.stringify(change));
  }

  listen(listener: (change: ModerationChange) => void): void {
    this.listener = listener;
  }

  private async subscribe(): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    try {
      await this.redis.subscriber.subscribe(this.redis.keys.moderationChannel(), this.onMessage);
      // Changes made before the subscription were not heard: read the state once it is in place.
      this.listener?.({ op: 'reload' });
    } catch (error) {
      this.subscribed = false;
      logFailure(this.logger, 'warn', 'moderation notices not subscribed', error);
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
