/**
 * The server HTTP API's rate per API key (SERVER_API_RATE_PER_SECOND sustained, SERVER_API_RATE_BURST at
 * once): a token bucket per key id, on this node in memory, across every node in Redis.
 */
export abstract class ApiKeyRateLimiter {
  /**
   * Takes one request's token for `keyId`: 0 when granted, else the milliseconds until one is available.
   * Synchronous in memory; in Redis it rejects when Redis is unreachable or does not answer in time.
   */
  abstract take(keyId: string): number | Promise<number>;
}
