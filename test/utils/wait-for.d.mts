/**
 * Polls `check` every `intervalMs` (default 50) until it is true; the timeout (default 10 s) error names
 * what it waited for. An error thrown by `check` ends the wait with that error.
 */
export declare function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<void>;
