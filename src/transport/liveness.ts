import { CloseCode } from '../protocol/close-code.js';
import type { ChatConnection } from './chat-connection.js';
import { Heartbeat } from './heartbeat.js';

/** Longest a single timer may wait in Node; longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Whether each socket is still there and still allowed: heartbeats on a timer wheel (two missed pongs
 * terminate the socket; the pongs are counted by `ChatSocket`, the servers' socket class) and the token's
 * expiry (the socket closes with 4001 when it comes).
 */
export class Liveness {
  /** Pings every socket once per HEARTBEAT_INTERVAL_MS, each at its own offset. */
  private readonly heartbeat: Heartbeat<ChatConnection>;
  /** Token-expiry timers of the open connections whose token expires, cleared by `forget`. */
  private readonly expiries = new Map<ChatConnection, NodeJS.Timeout>();

  constructor(heartbeatIntervalMs: number) {
    this.heartbeat = new Heartbeat(heartbeatIntervalMs);
  }

  /** Starts the heartbeat wheel. */
  start(): void {
    this.heartbeat.start();
  }

  /** Stops the heartbeat wheel. */
  stop(): void {
    this.heartbeat.stop();
  }

  /** Watches a connection that just opened. */
  watch(connection: ChatConnection): void {
    this.heartbeat.add(connection);
    const { expiresAt } = connection.identity;
    if (expiresAt !== undefined) this.expireAt(connection, expiresAt);
  }

  /** Stops watching a closed connection. */
  forget(connection: ChatConnection): void {
    this.heartbeat.remove(connection);
    const expiry = this.expiries.get(connection);
    if (expiry === undefined) return;
    clearTimeout(expiry);
    this.expiries.delete(connection);
  }

  private expireAt(connection: ChatConnection, expiresAt: number): void {
    const wait = expiresAt - Date.now();
    if (wait <= 0) return connection.close(CloseCode.TokenExpired, 'token expired');
    // Re-armed in place for lifetimes past MAX_TIMER_MS: one timer and no close listener per connection.
    this.expiries.set(
      connection,
      setTimeout(() => this.expireAt(connection, expiresAt), Math.min(wait, MAX_TIMER_MS)),
    );
  }
}
