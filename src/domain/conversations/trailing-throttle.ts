/**
 * At most one emission per key per interval: the first goes out at once and opens a window; what is
 * offered during it replaces what was waiting, and the last one goes out when the window closes
 * (opening the next). Timers are unref'd: a pending emission does not hold the process open.
 */
export class TrailingThrottle<T> {
  private readonly windows = new Map<string, { pending?: T; timer: NodeJS.Timeout }>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
  ) {}

  /** Emits `value` now, or when the key's window closes if it emitted less than an interval ago. */
  offer(key: string, value: T): void {
    if (this.intervalMs <= 0) return this.emit(value);
    const window = this.windows.get(key);
    if (window) {
      window.pending = value;
      return;
    }
    this.emit(value);
    this.open(key);
  }

  /** Drops every pending emission and timer. */
  clear(): void {
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
  }

  private open(key: string): void {
    const timer = setTimeout(() => this.close(key), this.intervalMs);
    timer.unref();
    this.windows.set(key, { timer });
  }

  private close(key: string): void {
    const window = this.windows.get(key);
    this.windows.delete(key);
    if (!window || window.pending === undefined) return;
    this.emit(window.pending);
    this.open(key);
  }
}
