import { TokenBucket } from '../engine/token-bucket.js';

/** Which connection limit refused an upgrade: the `reason` label of the refusal metric. */
export type UpgradeLimit =
  | 'max_connections'
  | 'max_connections_per_ip'
  | 'max_connections_per_user'
  | 'connection_rate'
  | 'pending_handshakes';

/** An upgrade refused by a connection limit: the HTTP status to answer, and when a retry may succeed. */
export interface UpgradeRefusal {
  status: 429 | 503;
  limit: UpgradeLimit;
  /** Seconds for `Retry-After`, when the gate knows when capacity returns. */
  retryAfterSeconds?: number;
}

/** The connection limits of one node (MAX_CONNECTIONS and its siblings). */
export interface UpgradeGateLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUser: number;
  connectionRatePerSecond: number;
  maxPendingHandshakes: number;
}

/** A handshake's wait is usually milliseconds: a second is a fair hint to retry. */
const PENDING_RETRY_AFTER_SECONDS = 1;

/**
 * Connection limits enforced at the upgrade, before a socket exists: per node, per client IP, per user,
 * on the rate of new sockets and on handshakes being verified at once. An admitted upgrade holds an
 * `UpgradePass` whose counts go back exactly once, when its TCP connection closes.
 */
export class UpgradeGate {
  private connections = 0;
  private pending = 0;
  private readonly byIp = new Map<string, number>();
  private readonly byUser = new Map<string, number>();
  private readonly rate: TokenBucket;

  constructor(
    private readonly limits: UpgradeGateLimits,
    now: () => number = Date.now,
  ) {
    this.rate = new TokenBucket(
      limits.connectionRatePerSecond,
      limits.connectionRatePerSecond,
      now,
    );
  }

  /** Upgrades admitted and not yet closed (handshakes in progress included). */
  get size(): number {
    return this.connections;
  }

  /** Upgrades being verified now. */
  get pendingHandshakes(): number {
    return this.pending;
  }

  /** Admits an upgrade from `ip` (counted as pending until `settle`), or says which limit refuses it. */
  admit(ip: string): UpgradePass | UpgradeRefusal {
    if (this.pending >= this.limits.maxPendingHandshakes)
      return {
        status: 503,
        limit: 'pending_handshakes',
        retryAfterSeconds: PENDING_RETRY_AFTER_SECONDS,
      };
    if (this.connections >= this.limits.maxConnections)
      return { status: 503, limit: 'max_connections' };
    if ((this.byIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp)
      return { status: 429, limit: 'max_connections_per_ip' };
    // Last, so that upgrades refused anyway do not spend the node's rate on a flooder.
    const waitMs = this.rate.take();
    if (waitMs > 0)
      return { status: 503, limit: 'connection_rate', retryAfterSeconds: Math.ceil(waitMs / 1000) };
    this.connections += 1;
    this.pending += 1;
    increment(this.byIp, ip);
    return new UpgradePass(this, ip);
  }

  /** @internal Counts `userId` for a pass, unless the user is at its limit. */
  admitUser(userId: string): boolean {
    if ((this.byUser.get(userId) ?? 0) >= this.limits.maxConnectionsPerUser) return false;
    increment(this.byUser, userId);
    return true;
  }

  /** @internal Ends a pass's pending state. */
  settled(): void {
    this.pending -= 1;
  }

  /** @internal Gives back a pass's counts. */
  released(ip: string, userId: string | undefined): void {
    this.connections -= 1;
    decrement(this.byIp, ip);
    if (userId !== undefined) decrement(this.byUser, userId);
  }
}

/** One admitted upgrade's share of the gate's counts; each of its ends is idempotent. */
export class UpgradePass {
  private userId: string | undefined;
  private pending = true;
  private open = true;

  constructor(
    private readonly gate: UpgradeGate,
    /** The client IP it was admitted for. */
    readonly ip: string,
  ) {}

  /** Counts the authenticated user against MAX_CONNECTIONS_PER_USER, or returns the refusal. */
  admitUser(userId: string): UpgradeRefusal | undefined {
    // A connection that closed during authentication has nothing left to count.
    if (!this.open || this.userId !== undefined) return undefined;
    if (!this.gate.admitUser(userId)) return { status: 429, limit: 'max_connections_per_user' };
    this.userId = userId;
    return undefined;
  }

  /** The handshake is no longer being verified (accepted or refused). */
  settle(): void {
    if (!this.pending) return;
    this.pending = false;
    this.gate.settled();
  }

  /** The connection closed: gives every count back. */
  release(): void {
    if (!this.open) return;
    this.open = false;
    this.gate.released(this.ip, this.userId);
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 0) - 1;
  // Deleted at zero, so that the maps hold only keys with a live connection.
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
