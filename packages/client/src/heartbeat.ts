/** How the client notices a dead connection: `false` turns it off. */
export interface HeartbeatOptions {
  /** Silence, ms, after which the client sends `ping` (default 25000). */
  intervalMs?: number;
  /** How long after the ping, ms, a silence that goes on drops the connection (default 10000). */
  timeoutMs?: number;
}

/** The heartbeat's timings, checked. */
export interface HeartbeatTimings {
  intervalMs: number;
  timeoutMs: number;
}

/** What a heartbeat does when the connection went silent. */
export interface HeartbeatHooks {
  /** Sends `ping`. */
  ping(): void;
  /** Nothing arrived within the timeout after the ping: the connection is dead. */
  dead(): void;
}

/** The timings of `option`, defaults filled in, or undefined for `false`; throws on a timing that is not a positive finite number. */
export function heartbeatTimings(
  option: HeartbeatOptions | false | undefined,
): HeartbeatTimings | undefined {
  if (option === false) return undefined;
  const timings = {
    intervalMs: option?.intervalMs ?? 25_000,
    timeoutMs: option?.timeoutMs ?? 10_000,
  };
  for (const [name, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(
        `heartbeat.${name} must be a positive finite number of ms, not ${value}`,
      );
  }
  return timings;
}

/**
 * Watches one open connection: after `intervalMs` with no frame from the server it pings, and when
 * nothing at all arrives within `timeoutMs` after that, declares the connection dead. A browser never
 * shows WebSocket pings to JavaScript, so without this a half-open connection looks open for minutes.
 */
export class Heartbeat {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFrameAt = 0;
  private heardSincePing = false;
  private pinged = false;

  constructor(
    private readonly timings: HeartbeatTimings,
    private readonly hooks: HeartbeatHooks,
  ) {}

  /** The connection opened: starts watching it. */
  start(): void {
    this.stop();
    this.lastFrameAt = Date.now();
    this.arm(this.timings.intervalMs);
  }

  /**
   * A frame arrived: the connection is alive. Only a time is noted, no timer moved, as it runs on every
   * frame; the timer checks the time when it fires.
   */
  heard(): void {
    this.lastFrameAt = Date.now();
    this.heardSincePing = true;
  }

  /** The connection is gone: no more pings, no timer left. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pinged = false;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
  }

  private check(): void {
    if (this.pinged) {
      if (!this.heardSincePing) {
        this.stop();
        this.hooks.dead();
        return;
      }
      this.pinged = false;
    }
    const silentFor = Date.now() - this.lastFrameAt;
    if (silentFor < this.timings.intervalMs) {
      this.arm(this.timings.intervalMs - silentFor);
      return;
    }
    this.pinged = true;
    this.heardSincePing = false;
    this.arm(this.timings.timeoutMs);
    this.hooks.ping();
  }
}
