import { LEAN_ARM } from '../arms.mjs';

/** Issue 12's targets for Switchboard, as differences or ratios against baselines of the same run. */
const ISSUE_12_TARGETS = {
  extraPerInboundOverAckingUs: 8,
  roomsCpuPerDeliveryOverAcking: 1.25,
  idleMemoryPerSocketOverLean: 1.2,
  cpuPerConnectionOverLean: 1.2,
};

const ACKING_ARM = 'corked-relay-ack';

/**
 * The rows of the "Targets of issue 12" table, in the shape of issue 4's (see summarize.mjs `targets`);
 * `met` is undefined for a row shown for information. `previous` is the committed report this run
 * replaces (bench/report/previous-report.mjs), for the fan-out rate that must be no worse than before: a
 * report from another machine (another kernel build) is shown, not judged, as its figures are not this one's.
 * @param {object} summary
 * @param {import('./previous-report.mjs').PreviousReport | undefined} previous
 * @param {{ kernel: string } | undefined} machine this run's machine
 */
export function issue12Targets(summary, previous, machine) {
  const rows = [];
  const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  const limits = ISSUE_12_TARGETS;
  const rooms = summary.rooms;
  if (rooms?.[ACKING_ARM]) {
    const sb = rooms.switchboard?.inboundAloneUs;
    const acking = rooms[ACKING_ARM].inboundAloneUs;
    const extra = sb === undefined || acking === undefined ? undefined : sb - acking;
    rows.push({
      id: 'extraPerInboundOverAckingUs',
      target: `framework cost per inbound message over the corked relay that also acks ≤ +${limits.extraPerInboundOverAckingUs} µs`,
      switchboard: sb,
      baseline: acking,
      unit: 'µs',
      value: extra,
      valueNote: roundsNote(
        paired(summary.byRound?.inboundAloneUs, ACKING_ARM, (a, b) => a - b),
        true,
      ),
      difference: true,
      met: extra !== undefined && extra <= limits.extraPerInboundOverAckingUs,
    });
    const perDelivery = ratio(
      rooms.switchboard?.cpuPerDeliveryUs,
      rooms[ACKING_ARM].cpuPerDeliveryUs,
    );
    rows.push({
      id: 'roomsCpuPerDeliveryOverAcking',
      target: `rooms of 10: server CPU per delivery ≤ ${limits.roomsCpuPerDeliveryOverAcking}× the corked relay that also acks`,
      switchboard: rooms.switchboard?.cpuPerDeliveryUs,
      baseline: rooms[ACKING_ARM].cpuPerDeliveryUs,
      unit: 'µs',
      value: perDelivery,
      met: perDelivery !== undefined && perDelivery <= limits.roomsCpuPerDeliveryOverAcking,
    });
  }
  for (const { sockets, arms } of summary.idle?.levels ?? []) {
    if (!arms[LEAN_ARM]) continue;
    const count = sockets.toLocaleString('en-US');
    const rss = ratio(arms.switchboard?.rss, arms[LEAN_ARM].rss);
    rows.push({
      id: `idleMemoryPerSocketOverLean${sockets}`,
      target: `memory (RSS after GC) per idle socket at ${count} sockets ≤ ${limits.idleMemoryPerSocketOverLean}× the lean ws relay`,
      switchboard: arms.switchboard?.rss,
      baseline: arms[LEAN_ARM].rss,
      unit: 'B',
      value: rss,
      met: rss !== undefined && rss <= limits.idleMemoryPerSocketOverLean,
    });
    rows.push({
      id: `idleHeapPerSocketOverLean${sockets}`,
      target: `the same, JavaScript heap only (heap used after GC per idle socket at ${count}), for information`,
      switchboard: arms.switchboard?.heapUsed,
      baseline: arms[LEAN_ARM].heapUsed,
      unit: 'B',
      value: ratio(arms.switchboard?.heapUsed, arms[LEAN_ARM].heapUsed),
      met: undefined,
    });
  }
  const connect = summary.connect;
  if (connect?.[LEAN_ARM]) {
    const value = ratio(
      connect.switchboard?.cpuPerConnectionUs,
      connect[LEAN_ARM].cpuPerConnectionUs,
    );
    rows.push({
      id: 'cpuPerConnectionOverLean',
      target: `server CPU per connection opened (handshake, identity, registry, default room) ≤ ${limits.cpuPerConnectionOverLean}× the lean ws relay`,
      switchboard: connect.switchboard?.cpuPerConnectionUs,
      baseline: connect[LEAN_ARM].cpuPerConnectionUs,
      unit: 'µs',
      value,
      valueNote: roundsNote(paired(summary.byRound?.cpuPerConnectionUs, LEAN_ARM, ratio), false),
      met: value !== undefined && value <= limits.cpuPerConnectionOverLean,
    });
  }
  if (summary.fanout) {
    const now = summary.fanout.switchboard?.maxRate;
    const before = previous?.fanoutMaxRate;
    const value = ratio(now, before);
    const otherMachine =
      previous?.kernel !== undefined && machine !== undefined && previous.kernel !== machine.kernel;
    rows.push({
      id: 'fanoutMaxRateNoWorse',
      target: !previous?.runId
        ? 'fan-out maximum sustainable rate no worse than before (no previous committed report was read: shown only)'
        : otherMachine
          ? `fan-out maximum sustainable rate no worse than in the previous committed report (run \`${previous.runId}\`, commit \`${previous.commit}\`), which ran on another machine (kernel ${previous.kernel}, this one ${machine.kernel}): shown only, not comparable`
          : `fan-out maximum sustainable rate no worse than in the previous committed report (run \`${previous.runId}\`, commit \`${previous.commit}\`)`,
      switchboard: now,
      switchboardNote: summary.fanout.switchboard?.topSustained
        ? "sustained the ladder's top rung: its limit may be higher"
        : undefined,
      baseline: before,
      baselineNote: previous?.fanoutTopSustained
        ? "sustained the ladder's top rung: its limit may be higher"
        : undefined,
      unit: 'msg/s',
      value,
      // Sustaining this run's top rung, when it is below the previous figure, says nothing either way.
      met:
        value === undefined ||
        otherMachine ||
        (now < before && summary.fanout.switchboard?.topSustained)
          ? undefined
          : now >= before,
    });
  }
  return rows;
}

/**
 * Switchboard against `baseline` round by round: `compare(switchboard, baseline)` of each round, whose arms
 * ran back to back. Their spread is the measurement's noise, shown beside a target compared on medians.
 */
function paired(byArm, baseline, compare) {
  const ours = byArm?.switchboard ?? [];
  const theirs = byArm?.[baseline] ?? [];
  return ours
    .map((value, round) =>
      value === undefined || theirs[round] === undefined
        ? undefined
        : compare(value, theirs[round]),
    )
    .filter((figure) => figure !== undefined);
}

/** Each round's figure, as a note beside the measured one. */
function roundsNote(figures, difference) {
  if (figures.length === 0) return undefined;
  const format = (value) =>
    difference
      ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} µs`
      : `${value.toFixed(2)}×`;
  return `round by round: ${figures.map(format).join(', ')}`;
}
