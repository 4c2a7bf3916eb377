import { quantile } from '../lib/stats.mjs';
import { parseMessageText } from './message-text.mjs';

/** Collects end-to-end latencies of the current run's messages as probes receive them. */
export class LatencyRecorder {
  tag = '';
  /** @type {number[]} */
  samples = [];

  /** Starts a run: only messages tagged `tag` count from now on. */
  start(tag) {
    this.tag = tag;
    this.samples = [];
  }

  /** Records one received message text (a probe's `ProbeSink.record`). */
  record(text) {
    if (text === undefined) return;
    const parsed = parseMessageText(text);
    if (parsed?.tag === this.tag) this.samples.push(performance.now() - parsed.sentAt);
  }

  /** p50, p99 and max in milliseconds, and the sample count. */
  summary() {
    const sorted = Float64Array.from(this.samples).sort();
    const round = (value) => (value === undefined ? undefined : Math.round(value * 100) / 100);
    return {
      count: sorted.length,
      p50: round(quantile(sorted, 0.5)),
      p99: round(quantile(sorted, 0.99)),
      max: round(sorted.at(-1)),
    };
  }
}
