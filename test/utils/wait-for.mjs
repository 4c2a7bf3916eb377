/**
 * Polls `check` every `intervalMs` until it is true; the timeout error names what it waited for.
 * An error thrown by `check` ends the wait with that error.
 * @param {() => boolean | Promise<boolean>} check
 * @param {string} what
 * @param {number} [timeoutMs]
 * @param {number} [intervalMs]
 * @returns {Promise<void>}
 */
export async function waitFor(check, what, timeoutMs = 10_000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
