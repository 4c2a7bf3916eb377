import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/app-config.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import {
  ChatConnection,
  connectionOf,
  type ConnectionLimits,
  type ConnectionObserver,
} from './chat-connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { Liveness } from './liveness.js';
import type { ChatSocket } from './chat-socket.js';
import type { VerifiedUpgrade } from './upgrade-verifier.js';

/** Opens a `ChatConnection` for each verified socket and puts away what it held once it closes. */
export class ConnectionLifecycle {
  private readonly limits: ConnectionLimits;
  private readonly observer: ConnectionObserver;
  /** The 'close' listener of every socket: one function for all (`this` is the socket), so no closure per socket. */
  private readonly onSocketClose: (this: WebSocket, code: number) => void;

  constructor(
    config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly liveness: Liveness,
    metrics: ChatMetrics,
  ) {
    this.limits = {
      slowConsumerBytes: config.SLOW_CONSUMER_BYTES,
      refusalSilentAfter: config.RATE_LIMIT_SILENT_AFTER,
      refusalCloseAfter: config.RATE_LIMIT_CLOSE_AFTER,
      refusalWindowMs: config.RATE_LIMIT_WINDOW_MS,
      ratePerSecond: config.RATE_LIMIT_PER_SECOND,
      rateBurst: config.RATE_LIMIT_BURST,
    };
    this.observer = { slowConsumerClosed: () => metrics.slowConsumerCloses.inc() };
    metrics.connections.readFrom(() => registry.size);
    const closed = (connection: ChatConnection, code: number): void => {
      // The gateway runs first: it still needs the connection's rooms to announce the leave.
      connection.disconnected?.(code);
      this.close(connection);
    };
    this.onSocketClose = function (this: WebSocket, code: number) {
      closed(connectionOf(this), code);
    };
  }

  /**
   * The connection of a socket that just opened: registered, counted and watched. When the socket closes,
   * its `disconnected` callback runs, then `close`.
   */
  open(socket: ChatSocket, { identity, admission }: VerifiedUpgrade): ChatConnection {
    const connection = new ChatConnection(
      this.registry.nextId(),
      socket,
      identity,
      this.limits,
      this.observer,
    );
    connection.admission = admission;
    this.registry.add(connection);
    this.liveness.watch(connection);
    socket.on('close', this.onSocketClose);
    return connection;
  }

  /** Gives back a closed connection's share of the limits and forgets it. */
  private close(connection: ChatConnection): void {
    connection.admission?.release();
    this.liveness.forget(connection);
    this.registry.remove(connection);
  }
}
