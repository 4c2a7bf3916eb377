/**
 * A token bucket per API key id (`ratePerSecond` sustained, `burst` at once), on this node only. The
 * keys are the configured ones, so the map is as bounded as SERVER_API_KEYS.
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's token for `keyId`: 0 when granted, else the milliseconds until one is available. */
  take(keyId: string): number {
    const now = this.now();
    const bucket = this.buckets.get(keyId) ?? { tokens: this.burst, refilledAt: now };
    this.buckets.set(keyId, bucket);
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.refilledAt) * this.ratePerSecond) / 1000,
    );
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / this.ratePerSecond);
  }
}
