import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { RedisKeys } from './redis-keys.js';
import { reconnectDelay } from '../reconnect-delay.js';

/**
 * The Redis engine's two connections: one for commands, one for subscriptions. Both reconnect forever
 * with backoff; commands fail fast while disconnected (no offline queue), so sends get `unavailable`.
 * An outage is logged on change of state only: once (error) when Redis becomes unreachable, once (info)
 * when both connections are back, whatever the number of reconnect attempts and failed operations between.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  /** Key and channel names. */
  readonly keys: RedisKeys;
  private commandClient: RedisClientType | undefined;
  private subscriberClient: RedisClientType | undefined;
  /** Whether Redis was last known reachable; undefined until the first connection succeeds or fails. */
  private reachable: boolean | undefined;
  private unreachableSince = 0;

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {
    this.keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  }

  /** The command connection. */
  get client(): RedisClientType {
    if (!this.commandClient) throw new Error('the Redis engine is not configured (REDIS_URL)');
    return this.commandClient;
  }

  /** The subscriber connection. */
  get subscriber(): RedisClientType {
    if (!this.subscriberClient) throw new Error('the Redis engine is not configured (REDIS_URL)');
    return this.subscriberClient;
  }

  /** True when both connections are up. */
  get isReady(): boolean {
    return Boolean(this.commandClient?.isReady && this.subscriberClient?.isReady);
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.REDIS_URL) return;
    this.commandClient = this.create('command');
    this.subscriberClient = this.create('subscriber');
    // Boot does not wait for Redis: a node started during an outage comes up not ready and recovers.
    await Promise.all(
      [this.commandClient, this.subscriberClient].map((client) =>
        client.connect().catch((error: unknown) => this.markUnreachable(error)),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of [this.commandClient, this.subscriberClient]) {
      if (client?.isOpen) await client.close().catch(() => client.destroy());
      else client?.destroy();
    }
  }

  private create(role: string): RedisClientType {
    const client: RedisClientType = createClient({
      url: this.config.REDIS_URL,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 },
    });
    // Raised once per reconnect attempt during an outage: only the first of them is logged.
    client.on('error', (error: unknown) => this.markUnreachable(error, role));
    client.on('ready', () => this.markReachable());
    return client;
  }

  private markUnreachable(error: unknown, role?: string): void {
    if (this.reachable === false) return;
    this.reachable = false;
    this.unreachableSince = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Redis unreachable${role ? ` (${role} connection)` : ''}: ${reason}; sends get unavailable until it is back`,
    );
  }

  private markReachable(): void {
    if (!this.isReady || this.reachable === true) return;
    const wasDown = this.reachable === false;
    this.reachable = true;
    this.logger.log(
      wasDown
        ? `Redis reachable again after ${((Date.now() - this.unreachableSince) / 1000).toFixed(1)} s`
        : 'Redis connected',
    );
  }
}
