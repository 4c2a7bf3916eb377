import { Histogram, Registry } from 'prom-client';
import { TallyHistogram } from './tally-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/** The same histogram twice, each on a registry of its own: prom-client's and the tallied one. */
function pair() {
  const [theirs, ours] = [new Registry(), new Registry()];
  const options = { name: 'h_seconds', help: 'a histogram', buckets: BUCKETS };
  const histogram = new Histogram({
    ...options,
    labelNames: ['event', 'outcome'],
    registers: [theirs],
  });
  const tally = new TallyHistogram({
    ...options,
    labelNames: ['event', 'outcome'],
    registry: ours,
  });
  return {
    observe: (event: string, outcome: string, value: number): void => {
      histogram.observe({ event, outcome }, value);
      tally.observe(event, outcome, value);
    },
    registries: { theirs, ours },
    tally,
  };
}

describe('TallyHistogram', () => {
  it("exports the very text and JSON prom-client's Histogram does for the same observations", async () => {
    const { observe, registries } = pair();
    const values = [0, 0.0005, 0.0007, 0.001, 0.003, 0.02, 0.2, 0.7, 1, 3, 0.00049];
    values.forEach((value, i) =>
      observe(i % 3 ? 'message' : 'join', i % 4 ? 'ok' : 'error', value),
    );
    observe('join', 'ok', 0.04);

    expect(await registries.ours.metrics()).toBe(await registries.theirs.metrics());
    expect(await registries.ours.getMetricsAsJSON()).toEqual(
      await registries.theirs.getMetricsAsJSON(),
    );
  });

  it('exports nothing but its help and type before the first observation, and after a reset', async () => {
    const { observe, registries } = pair();
    expect(await registries.ours.metrics()).toBe(await registries.theirs.metrics());

    observe('message', 'ok', 0.002);
    registries.ours.resetMetrics();
    registries.theirs.resetMetrics();

    expect(await registries.ours.metrics()).toBe(await registries.theirs.metrics());
  });
});
