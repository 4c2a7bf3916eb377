import { Counter, type Registry } from 'prom-client';

/**
 * A Prometheus counter with one label, tallied in plain numbers on the hot path and handed to prom-client
 * only when scraped: prom-client hashes the labels on every increment, which costs more than the frame
 * being counted. Label values must come from a bounded set (event names, never client input).
 */
export class TallyCounter {
  private readonly tallies = new Map<string, number>();
  /** The prom-client counter behind it, for reading in tests. */
  readonly counter: Counter<string>;

  constructor(options: { name: string; help: string; labelName: string; registry: Registry }) {
    const { labelName } = options;
    const tallies = this.tallies;
    this.counter = new Counter({
      name: options.name,
      help: options.help,
      labelNames: [labelName],
      registers: [options.registry],
      collect() {
        this.reset();
        for (const [value, count] of tallies) this.inc({ [labelName]: value }, count);
      },
    });
  }

  /** Adds `by` to the count of one label value. */
  inc(value: string, by = 1): void {
    this.tallies.set(value, (this.tallies.get(value) ?? 0) + by);
  }

  /** The current count of one label value. */
  get(value: string): number {
    return this.tallies.get(value) ?? 0;
  }
}
