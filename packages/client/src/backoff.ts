/** How long to wait between reconnect attempts (full jitter: a random delay up to the exponential cap). */
export interface BackoffOptions {
  /** The cap of the first attempt, ms (default 500). */
  initialMs?: number;
  /** The largest cap, ms (default 30000). */
  maxMs?: number;
  /** How much the cap grows per attempt (default 2). */
  factor?: number;
}

/** The delay before reconnect attempt `attempt` (0 for the first): uniform in [0, min(max, initial·factorⁿ)]. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs = 500, maxMs = 30_000, factor = 2 } = options;
  const cap = Math.min(maxMs, initialMs * factor ** Math.min(attempt, 32));
  return Math.floor(random() * cap);
}
