/** Backoff between reconnect attempts: doubling from 50 ms to 2 s, with jitter so nodes do not stampede. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 100);
}
