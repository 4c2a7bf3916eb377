import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { ChatObserver, NoChatObserver } from '../domain/chat-observer.js';
import { BullWebhookLane } from './bull-webhook-lane.js';
import { MemoryWebhookLane } from './memory-webhook-lane.js';
import { WebhookDelivery } from './webhook-delivery.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookLane } from './webhook-lane.js';
import { WebhookMetrics } from './webhook-metrics.js';

/** One lane per WEBHOOK_URLS entry: in BullMQ with REDIS_URL, else in this process; none without URLs. */
@Injectable()
export class WebhookLanes implements OnModuleInit, OnApplicationShutdown {
  /** The lanes, in WEBHOOK_URLS order. */
  readonly lanes: readonly WebhookLane[];

  constructor(
    @Inject(appConfig.KEY) config: AppConfig,
    delivery: WebhookDelivery,
    metrics: WebhookMetrics,
  ) {
    const urls = config.WEBHOOK_URLS.split(',').filter(Boolean);
    this.lanes = urls.map((url) =>
      config.REDIS_URL
        ? new BullWebhookLane(url, config, delivery, metrics)
        : new MemoryWebhookLane(url, config, delivery, metrics),
    );
    metrics.waiting.readFrom(() => this.lanes.reduce((sum, lane) => sum + lane.waiting, 0));
  }

  async onModuleInit(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}

/**
 * Webhooks: binds the domain's `ChatObserver` to the dispatcher when WEBHOOK_URLS is set, else to an
 * observer that does nothing (the chat path then pays one property read per batch).
 */
@Global()
@Module({
  providers: [
    WebhookMetrics,
    WebhookDelivery,
    WebhookLanes,
    {
      provide: ChatObserver,
      inject: [appConfig.KEY, WebhookLanes],
      useFactory: (config: AppConfig, { lanes }: WebhookLanes): ChatObserver =>
        lanes.length > 0 ? new WebhookDispatcher(config, lanes) : new NoChatObserver(),
    },
  ],
  exports: [ChatObserver],
})
export class WebhooksModule {}
