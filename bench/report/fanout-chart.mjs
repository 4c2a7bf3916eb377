/**
 * The report's chart as an SVG string: fan-out deliveries a second and p99 latency against the offered
 * rate (medians over rounds, per arm), and the maximum sustainable rates of fan-out and cluster.
 */

const WIDTH = 1260;
const HEIGHT = 470;
const PANEL = { top: 70, bottom: 390, width: 330 };
const FONT = 'DejaVu Sans, Liberation Sans, sans-serif';
/** One colour per arm, fixed so that every chart reads the same. */
const ARM_COLOURS = {
  'corked-relay': '#2b8a3e',
  'ws-relay': '#868e96',
  'socket.io': '#1971c2',
  switchboard: '#e8590c',
  'switchboard-sqlite': '#9c36b5',
  'switchboard-postgres': '#c2255c',
};

/**
 * @param {{ arms: import('../arms.mjs').Arm[], fanout: object, cluster?: object, title: string }} input
 *   `fanout` and `cluster` are summaries from summarize.mjs
 */
export function fanoutChartSvg({ arms, fanout, cluster, title }) {
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(WIDTH / 2, 28, title, { size: 18, anchor: 'middle', weight: 'bold' }),
  );
  const rates = [
    ...new Set(
      arms.flatMap(
        (arm) => fanout[arm.id]?.ladder.filter((r) => r.rounds > 0).map((r) => r.rate) ?? [],
      ),
    ),
  ].sort((a, b) => a - b);
  const xDomain = [rates[0] ?? 1, rates.at(-1) ?? 10];
  const deliveries = arms.flatMap((arm) => series(fanout[arm.id], 'deliveriesPerSec'));
  parts.push(
    linePanel({
      left: 80,
      title: 'Fan-out to 1000: deliveries/s achieved',
      xLabel: 'offered rate, messages/s (log)',
      yLabel: 'deliveries/s (log)',
      xDomain,
      yDomain: [Math.min(...deliveries.map((p) => p.y)), Math.max(...deliveries.map((p) => p.y))],
      arms,
      seriesOf: (arm) => series(fanout[arm.id], 'deliveriesPerSec'),
    }),
  );
  const latencies = arms.flatMap((arm) => series(fanout[arm.id], 'p99'));
  parts.push(
    linePanel({
      left: 500,
      title: 'Fan-out to 1000: p99 latency',
      xLabel: 'offered rate, messages/s (log)',
      yLabel: 'p99 ms (log)',
      xDomain,
      yDomain: [
        Math.min(1, ...latencies.map((p) => p.y)),
        Math.max(1000, ...latencies.map((p) => p.y)),
      ],
      arms,
      seriesOf: (arm) => series(fanout[arm.id], 'p99'),
      threshold: { value: 250, label: '250 ms' },
    }),
  );
  parts.push(barPanel({ left: 920, arms, fanout, cluster }));
  parts.push(legend(arms));
  parts.push('</svg>');
  return parts.join('\n');
}

function series(summary, key) {
  return (summary?.ladder ?? [])
    .filter((rung) => rung.rounds > 0 && rung[key] !== undefined && rung[key] > 0)
    .map((rung) => ({ x: rung.rate, y: rung[key] }));
}

function linePanel({ left, title, xLabel, yLabel, xDomain, yDomain, arms, seriesOf, threshold }) {
  const { top, bottom, width } = PANEL;
  const x = logScale(xDomain, [left, left + width]);
  const y = logScale(yDomain, [bottom, top]);
  const out = [
    text(left + width / 2, top - 16, title, { size: 14, anchor: 'middle', weight: 'bold' }),
  ];
  out.push(
    `<rect x="${left}" y="${top}" width="${width}" height="${bottom - top}" fill="none" stroke="#ced4da"/>`,
  );
  for (const tick of logTicks(yDomain)) {
    out.push(
      `<line x1="${left}" x2="${left + width}" y1="${y(tick)}" y2="${y(tick)}" stroke="#f1f3f5"/>`,
      text(left - 6, y(tick) + 4, compact(tick), { size: 11, anchor: 'end', fill: '#495057' }),
    );
  }
  for (const tick of logTicks(xDomain, true)) {
    out.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${top}" y2="${bottom}" stroke="#f1f3f5"/>`,
      text(x(tick), bottom + 16, compact(tick), { size: 11, anchor: 'middle', fill: '#495057' }),
    );
  }
  if (threshold) {
    out.push(
      `<line x1="${left}" x2="${left + width}" y1="${y(threshold.value)}" y2="${y(threshold.value)}" stroke="#c92a2a" stroke-dasharray="5 4"/>`,
      text(left + width - 4, y(threshold.value) - 5, threshold.label, {
        size: 11,
        anchor: 'end',
        fill: '#c92a2a',
        halo: true,
      }),
    );
  }
  for (const arm of arms) {
    const points = seriesOf(arm);
    if (points.length === 0) continue;
    const colour = ARM_COLOURS[arm.id];
    out.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        (p) =>
          `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      ),
    );
  }
  out.push(
    text(left + width / 2, bottom + 36, xLabel, { size: 12, anchor: 'middle' }),
    `<text x="${left - 52}" y="${(top + bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${left - 52} ${(top + bottom) / 2})">${escape(yLabel)}</text>`,
  );
  return out.join('\n');
}

function barPanel({ left, arms, fanout, cluster }) {
  const { top, bottom } = PANEL;
  const width = 300;
  const groups = [
    { label: 'fan-out, 1 node', summary: fanout },
    ...(cluster ? [{ label: 'cluster, 2 nodes + Redis', summary: cluster }] : []),
  ];
  const max = Math.max(
    1,
    ...groups.flatMap((g) => arms.map((arm) => g.summary[arm.id]?.maxRate ?? 0)),
  );
  const step = niceStep(max / 4);
  const ceiling = Math.ceil(max / step) * step;
  const y = (value) => bottom - ((bottom - top) * value) / ceiling;
  const out = [
    text(left + width / 2, top - 16, 'Maximum sustainable rate, msg/s', {
      size: 14,
      anchor: 'middle',
      weight: 'bold',
    }),
  ];
  out.push(
    `<rect x="${left}" y="${top}" width="${width}" height="${bottom - top}" fill="none" stroke="#ced4da"/>`,
  );
  for (let value = step; value <= ceiling; value += step) {
    out.push(
      `<line x1="${left}" x2="${left + width}" y1="${y(value)}" y2="${y(value)}" stroke="#f1f3f5"/>`,
      text(left + width + 4, y(value) + 4, compact(value), { size: 11, fill: '#495057' }),
    );
  }
  const groupWidth = width / groups.length;
  const barWidth = (groupWidth - 30) / arms.length;
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + 15;
    arms.forEach((arm, a) => {
      const value = group.summary[arm.id]?.maxRate ?? 0;
      const x = x0 + a * barWidth;
      out.push(
        `<rect x="${x + 2}" y="${y(value)}" width="${barWidth - 4}" height="${bottom - y(value)}" fill="${ARM_COLOURS[arm.id]}"/>`,
        text(
          x + barWidth / 2,
          y(value) - 4,
          // "+": the median sustained the ladder's top rung, so the arm's limit lies above it.
          `${Math.round(value)}${value >= (group.summary[arm.id]?.top ?? Infinity) ? '+' : ''}`,
          { size: 10, anchor: 'middle' },
        ),
      );
    });
    out.push(
      text(x0 + (groupWidth - 30) / 2, bottom + 16, group.label, { size: 12, anchor: 'middle' }),
    );
  });
  return out.join('\n');
}

function legend(arms) {
  const y = HEIGHT - 22;
  const step = WIDTH / (arms.length + 1);
  return arms
    .map((arm, i) => {
      const x = step * (i + 0.6);
      return [
        `<rect x="${x}" y="${y - 10}" width="22" height="10" fill="${ARM_COLOURS[arm.id]}"/>`,
        text(x + 28, y, arm.label, { size: 13 }),
      ].join('\n');
    })
    .join('\n');
}

function logScale([d0, d1], [r0, r1]) {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (value) => r0 + ((Math.log10(value) - l0) / span) * (r1 - r0);
}

function logTicks([d0, d1], includeDomain = false) {
  const ticks = new Set();
  for (let decade = 10 ** Math.floor(Math.log10(d0)); decade <= d1 * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const value = decade * m;
      if (value >= d0 * 0.9999 && value <= d1 * 1.0001) ticks.add(value);
    }
  }
  // The domain's ends are labelled too, unless a round tick sits close enough to crowd them.
  const crowded = (value) =>
    [...ticks].some((tick) => tick !== value && Math.abs(Math.log10(tick / value)) < 0.15);
  if (includeDomain) for (const end of [d0, d1]) if (!crowded(end)) ticks.add(end);
  return [...ticks];
}

function niceStep(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= value);
}

function compact(value) {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(1)}`;
}

function text(
  x,
  y,
  content,
  { size = 12, anchor = 'start', weight = 'normal', fill = '#212529', halo = false } = {},
) {
  // A white halo keeps a label readable where a line crosses it.
  const outline = halo ? ' stroke="#ffffff" stroke-width="4" paint-order="stroke"' : '';
  return `<text x="${x}" y="${y}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}"${outline}>${escape(content)}</text>`;
}

function escape(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
