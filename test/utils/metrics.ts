/** The text `/metrics` serves at `httpUrl` (such as `http://127.0.0.1:<port>`). */
export async function scrapeMetrics(httpUrl: string): Promise<string> {
  return (await fetch(`${httpUrl}/metrics`)).text();
}

/**
 * The value of one Prometheus sample in `text`: the sum of the series of `name` carrying all of `labels`
 * (0 when none does yet); throws if `text` does not declare the metric at all, so a misspelt name fails.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  if (!new RegExp(`^# TYPE ${name} `, 'm').test(text))
    throw new Error(`/metrics declares no metric ${name}`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [
        pair[1],
        pair[2],
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => series[key] === value))
      sum += Number(match[3]);
  }
  return sum;
}

/** One sample scraped now from `/metrics` at `httpUrl` (see `sample`). */
export async function readMetric(
  httpUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return sample(await scrapeMetrics(httpUrl), name, labels);
}
