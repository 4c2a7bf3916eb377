import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/app-config.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import {
  ChatConnection,
  type ConnectionLimits,
  type ConnectionObserver,
} from './chat-connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { Liveness } from './liveness.js';
import { TokenBucket } from './token-bucket.js';
import type { VerifiedUpgrade } from './upgrade-verifier.js';

/** Opens a `ChatConnection` for each verified socket and puts away what it held once it closes. */
export class ConnectionLifecycle {
  private readonly limits: ConnectionLimits;
  private readonly observer: ConnectionObserver;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly liveness: Liveness,
    private readonly metrics: ChatMetrics,
  ) {
    this.limits = {
      slowConsumerBytes: config.SLOW_CONSUMER_BYTES,
      refusalSilentAfter: config.RATE_LIMIT_SILENT_AFTER,
      refusalCloseAfter: config.RATE_LIMIT_CLOSE_AFTER,
      refusalWindowMs: config.RATE_LIMIT_WINDOW_MS,
    };
    this.observer = { slowConsumerClosed: () => metrics.slowConsumerCloses.inc() };
  }

  /** The connection of a socket that just opened: registered, counted and watched. */
  open(socket: WebSocket, { identity, admission }: VerifiedUpgrade): ChatConnection {
    const connection = new ChatConnection(
      this.registry.nextId(),
      socket,
      identity,
      new TokenBucket(this.config.RATE_LIMIT_PER_SECOND, this.config.RATE_LIMIT_BURST),
      this.limits,
      this.observer,
    );
    connection.admission = admission;
    this.registry.add(connection);
    this.metrics.connections.set(this.registry.size);
    this.liveness.watch(connection);
    return connection;
  }

  /** Gives back a closed connection's share of the limits and forgets it. */
  close(connection: ChatConnection): void {
    connection.admission?.release();
    this.liveness.forget(connection);
    this.registry.remove(connection);
    this.metrics.connections.set(this.registry.size);
  }
}
