/** How often the pacer wakes up to send what is due. */
const TICK_MS = 5;

/**
 * Sends `rate` messages a second for `durationMs`, round-robin over `senders` (each sender so sends
 * `rate / senders.length` a second, evenly spaced), skipping closed ones. Resolves with what it sent.
 * @template T
 * @param {{ rate: number, durationMs: number, senders: T[], isOpen: (sender: T) => boolean,
 *   send: (sender: T, seq: number) => void }} options
 * @returns {Promise<{ sent: number, elapsedMs: number }>}
 */
export function pace({ rate, durationMs, senders, isOpen, send }) {
  return new Promise((resolve) => {
    const started = performance.now();
    let sent = 0;
    let next = 0;
    const tick = () => {
      const elapsed = Math.min(performance.now() - started, durationMs);
      const due = Math.floor((rate * elapsed) / 1000);
      // A bounded sweep: if every sender is closed, give up on this tick instead of spinning.
      for (let tries = 0; sent < due && tries < senders.length * 2; tries += 1) {
        const sender = senders[next];
        next = (next + 1) % senders.length;
        if (!isOpen(sender)) continue;
        send(sender, sent);
        sent += 1;
        tries = 0;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve({ sent, elapsedMs: performance.now() - started });
      }
    };
    const timer = setInterval(tick, TICK_MS);
  });
}
