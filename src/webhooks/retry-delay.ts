/**
 * The wait before retry number `retry` (1 for the first): `baseMs` doubled per retry, capped at `maxMs`,
 * then jittered into its upper half ("equal jitter"), so receivers recovering from an outage are not hit by
 * every node's retries at once, yet each wait stays at least half the schedule's.
 */
export function retryDelayMs(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
