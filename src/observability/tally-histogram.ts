import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/** One label set's observations. */
interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative), one per upper bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/** What the registry reads of a metric when scraped (prom-client's `getForPromString` shape). */
interface Exported {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  /** prom-client's bucket values carry one (null without exemplars). */
  exemplar?: null;
}

/**
 * A Prometheus histogram with two labels, tallied in plain numbers on the hot path and exported when
 * scraped in the very shape prom-client's `Histogram` exports: prom-client hashes the labels, validates
 * them and allocates a closure on every observation, about a microsecond per handled frame. Label values
 * must come from a bounded set (event names and outcomes, never client input).
 */
export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly [string, string];
  private readonly upperBounds: readonly number[];
  /** By the first label's value, then the second's. */
  private series = new Map<string, Map<string, Series>>();
  /** Every series in the order of its first observation, the order prom-client exports them in. */
  private ordered: Series[] = [];

  constructor(options: {
    name: string;
    help: string;
    labelNames: readonly [string, string];
    buckets: readonly number[];
    registry: Registry;
  }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
    options.registry.registerMetric(this as unknown as Metric);
  }

  /** Records one observation under the two label values. */
  observe(first: string, second: string, value: number): void {
    let bySecond = this.series.get(first);
    if (!bySecond) this.series.set(first, (bySecond = new Map()));
    let series = bySecond.get(second);
    if (!series) {
      const [a, b] = this.labelNames;
      series = {
        labels: { [a]: first, [b]: second },
        buckets: this.upperBounds.map(() => 0),
        sum: 0,
        count: 0,
      };
      bySecond.set(second, series);
      this.ordered.push(series);
    }
    series.sum += value;
    series.count += 1;
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i += 1) {
      if (value <= bounds[i]) {
        series.buckets[i] += 1;
        break;
      }
    }
  }

  /** The export the registry formats, as prom-client's `Histogram.getForPromString` gives it. */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: Exported[];
    aggregator: 'sum';
  }> {
    const values: Exported[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, buckets, sum, count } of this.ordered) {
      const of = (le: number | string, value: number): Exported => ({
        labels: { le },
        sharedLabels: labels,
        value,
        metricName: bucket,
        exemplar: null,
      });
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => values.push(of(le, (cumulative += buckets[i]))));
      values.push(of('+Inf', count));
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({
        labels: {},
        sharedLabels: labels,
        value: count,
        metricName: `${this.name}_count`,
      });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** The export as JSON (`Registry.getMetricsAsJSON`), labels merged. */
  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const exported = await this.getForPromString();
    return {
      ...exported,
      values: exported.values.map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    } as unknown as MetricObjectWithValues<MetricValue<string>>;
  }

  /** Forgets every observation (`Registry.resetMetrics`). */
  reset(): void {
    this.series = new Map();
    this.ordered = [];
  }
}
