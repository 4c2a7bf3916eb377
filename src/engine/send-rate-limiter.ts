/**
 * The per-user send rate across every node (USER_RATE_LIMIT_PER_SECOND, for `message` and `dm`), for the
 * stores that do not count it themselves (the Redis store counts it inside its append script).
 */
export abstract class SendRateLimiter {
  /**
   * Counts one send per entry of `senders` (user ids, in batch order) against the current second and
   * answers, for each, whether it is within the rate. Rejects when the counter is unreachable.
   */
  abstract admit(senders: readonly string[], now: number): Promise<boolean[]>;
}
