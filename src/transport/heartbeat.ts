/** What the heartbeat needs of a connection. */
export interface Heartbeating {
  /** Heartbeats sent without a pong since the last pong; the pong listener sets it back to 0. */
  missedPongs: number;
  /** The bucket the heartbeat keeps it in; owned by the heartbeat. */
  heartbeatBucket: number;
  /** True while the socket can take frames. */
  readonly isOpen: boolean;
  /** Sends one ping. */
  ping(): void;
  /** The socket, dropped without a closing handshake once it missed too many pongs. */
  readonly socket: { terminate(): void };
}

/** About how often the wheel turns: often enough to spread the pings thinly, rarely enough to cost nothing idle. */
const TARGET_TICK_MS = 100;
/** Pings without a pong after which a socket is terminated. */
const MAX_MISSED_PONGS = 2;

/**
 * Liveness of every socket, as a timer wheel: sockets are spread round-robin over one bucket per tick of
 * the interval, and each tick pings one bucket. Every socket is pinged once per interval at its own
 * offset, so a round costs the event loop a bucket's worth of pings at a time instead of every socket's
 * in one sweep. A socket that missed two pongs is terminated when its bucket's turn comes.
 */
export class Heartbeat<T extends Heartbeating = Heartbeating> {
  private readonly buckets: Set<T>[];
  /** Milliseconds between ticks; a round of every bucket takes at most the interval. */
  readonly tickMs: number;
  /** The bucket the next tick pings. */
  private cursor = 0;
  /** The bucket the next socket goes to: round-robin, so that a burst of connections spreads evenly. */
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number) {
    const count = Math.max(1, Math.round(intervalMs / TARGET_TICK_MS));
    this.tickMs = Math.max(1, Math.floor(intervalMs / count));
    this.buckets = Array.from({ length: count }, () => new Set<T>());
  }

  /** Number of buckets, one pinged per tick. */
  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Starts turning the wheel; a no-op while it turns. */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.tickMs).unref();
  }

  /** Stops the wheel. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Puts an opened socket in a bucket. */
  add(connection: T): void {
    connection.heartbeatBucket = this.next;
    this.buckets[this.next].add(connection);
    this.next = (this.next + 1) % this.buckets.length;
  }

  /** Takes a closed socket out of its bucket. */
  remove(connection: T): void {
    this.buckets[connection.heartbeatBucket]?.delete(connection);
  }

  /** Pings the sockets of the next bucket, terminating those that missed too many pongs. */
  tick(): void {
    const bucket = this.buckets[this.cursor];
    this.cursor = (this.cursor + 1) % this.buckets.length;
    for (const connection of bucket) {
      if (connection.missedPongs >= MAX_MISSED_PONGS) {
        connection.socket.terminate();
        continue;
      }
      connection.missedPongs += 1;
      if (connection.isOpen) connection.ping();
    }
  }
}
