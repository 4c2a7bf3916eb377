import { Gauge, type Registry } from 'prom-client';

/**
 * A Prometheus gauge read from its source when scraped, instead of set every time the value changes: the
 * value (open connections, write-queue depth) changes far more often than anyone reads it.
 */
export class ScrapedGauge {
  /** The prom-client gauge behind it, for reading in tests. */
  readonly gauge: Gauge;
  private source: () => number = () => 0;

  constructor(options: { name: string; help: string; registry: Registry }) {
    const read = () => this.source();
    this.gauge = new Gauge({
      name: options.name,
      help: options.help,
      registers: [options.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Where the gauge reads its value from when scraped; 0 until one is given. */
  readFrom(source: () => number): void {
    this.source = source;
  }
}
