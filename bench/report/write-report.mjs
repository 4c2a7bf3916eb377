import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fanoutChartSvg } from './fanout-chart.mjs';
import { armsIn, benchmarksMarkdown } from './markdown.mjs';
import { renderSvgToPng } from './render-png.mjs';
import { summarize } from './summarize.mjs';

const CHART = 'benchmarks-fanout.png';

/**
 * Writes BENCHMARKS.md and its chart (benchmarks-fanout.png) into `dir` (docs/ for `npm run bench`) from one
 * run's raw results; returns the files written. Also runnable on saved results:
 * `node bench/report/write-report.mjs <json> [dir]`.
 */
export async function writeReport(dir, results) {
  const summary = summarize(results);
  const written = [];
  let chartFile;
  if (summary.fanout) {
    const svg = fanoutChartSvg({
      arms: armsIn(results, 'fanout'),
      fanout: summary.fanout,
      cluster: summary.cluster,
      title: `Switchboard and its baselines, run ${results.runId} (${results.machine.nproc} cores, Node ${results.machine.node}), medians of rounds`,
    });
    const png = join(dir, CHART);
    await renderSvgToPng(svg, png);
    written.push(png);
    chartFile = CHART;
  }
  const markdown = join(dir, 'BENCHMARKS.md');
  writeFileSync(markdown, benchmarksMarkdown({ results, summary, chartFile }));
  written.push(markdown);
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file)
    throw new Error('usage: node bench/report/write-report.mjs bench/results/<run>.json [dir]');
  const dir = process.argv[3] ?? fileURLToPath(new URL('../../docs', import.meta.url));
  const written = await writeReport(dir, JSON.parse(readFileSync(file, 'utf8')));
  console.log(written.join('\n'));
}
