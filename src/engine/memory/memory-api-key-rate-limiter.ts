import { ApiKeyRateLimiter } from '../api-key-rate-limiter.js';
import { TokenBucket } from '../token-bucket.js';

/**
 * A token bucket per API key id (`ratePerSecond` sustained, `burst` at once), on this node only. The
 * keys are the configured ones, so the map is as bounded as SERVER_API_KEYS.
 */
export class MemoryApiKeyRateLimiter extends ApiKeyRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  take(keyId: string): number {
    let bucket = this.buckets.get(keyId);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst, this.now);
      this.buckets.set(keyId, bucket);
    }
    return bucket.take();
  }
}
