import { Injectable } from '@nestjs/common';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { ScrapedGauge } from './scraped-gauge.js';
import { TallyCounter } from './tally-counter.js';
import { TallyHistogram } from './tally-histogram.js';

/** The Prometheus metrics of one app instance, on a registry of its own so that several apps can share a process. */
@Injectable()
export class ChatMetrics {
  readonly registry = new Registry();

  /** Read from the connection registry when scraped, not set per connection opened and closed. */
  readonly connections = new ScrapedGauge({
    name: 'switchboard_connections',
    help: 'Open WebSocket connections on this node',
    registry: this.registry,
  });
  readonly upgradesRefused = new Counter({
    name: 'switchboard_upgrades_refused_total',
    help: 'Upgrades refused by a connection limit (HTTP 429 or 503), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly messagesIn = new TallyCounter({
    name: 'switchboard_messages_in_total',
    help: 'Inbound frames dispatched to a handler, by event',
    labelName: 'event',
    registry: this.registry,
  });
  readonly messagesOut = new TallyCounter({
    name: 'switchboard_messages_out_total',
    help: 'Frames broadcast by this node (each counted once, however many recipients), by event',
    labelName: 'event',
    registry: this.registry,
  });
  readonly deliveries = new Counter({
    name: 'switchboard_deliveries_total',
    help: 'Frames written to local sockets by fan-out',
    registers: [this.registry],
  });
  /** Read from the write queue when scraped, not set per message. */
  readonly queueDepth = new ScrapedGauge({
    name: 'switchboard_queue_depth',
    help: 'Messages waiting in the write queue',
    registry: this.registry,
  });
  readonly slowConsumerCloses = new Counter({
    name: 'switchboard_slow_consumer_closes_total',
    help: 'Sockets closed with 1013 because their send buffer passed SLOW_CONSUMER_BYTES',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'switchboard_errors_total',
    help: 'refused or failed frames, by code (counted also when unanswered past RATE_LIMIT_SILENT_AFTER)',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly cacheRequests = new Counter({
    name: 'switchboard_cache_requests_total',
    help: 'Cache lookups, by cache and result (hit or miss)',
    labelNames: ['cache', 'result'],
    registers: [this.registry],
  });
  /** Observed per handled frame: tallied, and handed to the registry when scraped. */
  readonly handlerSeconds = new TallyHistogram({
    name: 'switchboard_handler_duration_seconds',
    help: 'Time from dispatch to reply, by event and outcome',
    labelNames: ['event', 'outcome'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registry: this.registry,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
