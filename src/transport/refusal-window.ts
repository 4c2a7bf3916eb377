/**
 * Refused frames counted over a sliding window of `windowMs`, estimated from two counters (this window's
 * and the previous one's, weighted by how much of it still overlaps) rather than a list of timestamps:
 * constant memory however hard a client floods. An accepted frame does not reset it.
 */
export class RefusalWindow {
  private start: number;
  private inCurrent = 0;
  private inPrevious = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  /** Counts one refusal; returns the refusals within the last window, this one included. */
  count(): number {
    const now = this.roll();
    this.inCurrent += 1;
    return this.estimate(now);
  }

  /** The refusals within the last window, counting none. */
  current(): number {
    return this.estimate(this.roll());
  }

  private estimate(now: number): number {
    const overlap = 1 - (now - this.start) / this.windowMs;
    return this.inPrevious * overlap + this.inCurrent;
  }

  /** Moves the window up to now and returns now. */
  private roll(): number {
    const now = this.now();
    const windows = Math.floor((now - this.start) / this.windowMs);
    if (windows > 0) {
      this.inPrevious = windows === 1 ? this.inCurrent : 0;
      this.inCurrent = 0;
      this.start += windows * this.windowMs;
    }
    return now;
  }
}
