import { REFERENCE_ARM } from '../arms.mjs';
import { isSustained } from '../lib/measure.mjs';
import { median } from '../lib/stats.mjs';
import { issue12Targets } from './issue12-targets.mjs';
import { issue8Targets } from './issue8-targets.mjs';

/** The issue's targets for Switchboard, as ratios (or a difference) against the baselines of the same run. */
const TARGETS = {
  fanoutMaxRate: 0.9,
  roomsCpuPerDelivery: 1.5,
  extraPerInboundUs: 3,
  idleMemoryPerSocket: 1.2,
};

/**
 * Reduces raw results (bench/run.mjs) to what the report shows: per scenario and arm, the median over
 * rounds of every figure (each figure's own median), and the targets of issues 4, 8 and 12.
 */
export function summarize(results) {
  const summary = {};
  const { scenarios } = results;
  if (scenarios.fanout) summary.fanout = summarizeLadder(scenarios.fanout, results.profile.fanout);
  if (scenarios.cluster)
    summary.cluster = summarizeLadder(scenarios.cluster, results.profile.cluster);
  if (scenarios.rooms) summary.rooms = summarizeRooms(scenarios.rooms);
  if (scenarios.seed) summary.seed = byArm(scenarios.seed, seedFigures);
  if (scenarios.history) summary.history = summarizeHistory(scenarios.history);
  if (scenarios.idle) summary.idle = summarizeIdle(scenarios.idle, results.profile.idle);
  if (scenarios.connect)
    summary.connect = byArm(scenarios.connect, (run) => ({
      cpuPerConnectionUs: run.cpuPerConnectionUs,
      statCpuPerConnectionUs: run.statCpuPerConnectionUs,
      connectionsPerSec: run.connectionsPerSec,
      connected: run.connected,
      failed: run.failed,
    }));
  summary.byRound = {
    inboundAloneUs: perRound(scenarios.rooms, (run) => run.solo?.serverCpuPerMessageUs),
    cpuPerConnectionUs: perRound(scenarios.connect, (run) => run.cpuPerConnectionUs),
  };
  summary.noise = summarizeNoise(results);
  summary.cpuCrossCheck = crossCheckCpu(results);
  summary.targets = targets(summary);
  summary.issue12Targets = issue12Targets(summary, results.previousReport, results.machine);
  summary.issue8Targets = issue8Targets(summary);
  return summary;
}

/** Per level of sockets (10,000, 20,000), the medians per arm of what an idle socket costs there. */
function summarizeIdle(scenario, config) {
  // Results from before the levels (one `sockets` count, figures at the top of each run) read as one level.
  const levelsOf = (run) =>
    run.levels ?? [{ sockets: config.sockets, connected: run.connect.connected, ...run }];
  const sockets = [config.sockets].flat();
  return {
    levels: sockets.map((count) => ({
      sockets: count,
      arms: byArm(
        {
          arms: Object.fromEntries(
            Object.entries(scenario.arms).map(([arm, runs]) => [
              arm,
              runs.map((run) => {
                if (run.error) return run;
                const level = levelsOf(run).find((candidate) => candidate.sockets === count);
                return level ?? { error: `did not reach ${count} sockets` };
              }),
            ]),
          ),
        },
        (level) => ({ ...level.perSocket, connected: level.connected }),
      ),
    })),
  };
}

/**
 * Per arm, the figure `pick` reads off each round, in round order (undefined for a failed round): round i of
 * every arm ran within minutes of the others, so that figures of one round can be compared pairwise.
 */
function perRound(scenario, pick) {
  if (!scenario) return {};
  return Object.fromEntries(
    Object.entries(scenario.arms).map(([arm, runs]) => [
      arm,
      runs.map((run) => (run.error ? undefined : pick(run))),
    ]),
  );
}

/** Medians per arm of the figures `pick` reads off each successful round. */
function byArm(scenario, pick) {
  const out = {};
  for (const [arm, runs] of Object.entries(scenario.arms)) {
    const ok = runs.filter((run) => !run.error);
    const picked = ok.map(pick);
    const figures = {};
    for (const key of Object.keys(picked[0] ?? {})) {
      const values = picked.map((figure) => figure[key]);
      figures[key] =
        typeof values[0] === 'number' || values[0] === undefined ? median(values) : values[0];
    }
    out[arm] = {
      rounds: ok.length,
      errors: runs.filter((run) => run.error).map((run) => run.error),
      ...figures,
    };
  }
  return out;
}

function runFigures(run) {
  return {
    deliveredPct: run.deliveredRatio === undefined ? undefined : run.deliveredRatio * 100,
    deliveriesPerSec: run.deliveriesPerSec,
    p50: run.latency.p50,
    p99: run.latency.p99,
    cpuPerDeliveryUs: run.serverCpuPerDeliveryUs,
    cpuPerMessageUs: run.serverCpuPerMessageUs,
    serverCpuPct: run.serverCpuPct,
    loadgenCpuPct: run.loadgenCpuPct,
    redisCpuPct: run.redisCpuPct,
  };
}

function seedFigures(run) {
  return runFigures(run.relay);
}

function summarizeLadder(scenario, config) {
  const top = config.ladder.at(-1);
  const arms = byArm(scenario, (run) => ({
    maxRate: run.maxRate,
    ...prefixed('atMax', run.best ? runFigures(run.best) : {}),
  }));
  for (const [arm, runs] of Object.entries(scenario.arms)) {
    const ok = runs.filter((run) => !run.error);
    arms[arm].maxRates = ok.map((run) => run.maxRate);
    if (arms[arm].maxRate !== undefined) arms[arm].maxRate = Math.round(arms[arm].maxRate);
    // Rounds that sustained even the top rung: the arm's limit lies above the ladder.
    arms[arm].topSustained = ok.filter((run) => run.ceiling).length;
    arms[arm].top = top;
    arms[arm].ladder = config.ladder.map((rate) => {
      const rungs = ok.flatMap((run) => run.rungs.filter((rung) => rung.rate === rate));
      if (rungs.length === 0) return { rate, rounds: 0 };
      const figures = rungs.map(runFigures);
      const medianOf = (key) => median(figures.map((figure) => figure[key]));
      return {
        rate,
        rounds: rungs.length,
        sustained: rungs.filter(isSustained).length,
        deliveredPct: medianOf('deliveredPct'),
        deliveriesPerSec: medianOf('deliveriesPerSec'),
        p50: medianOf('p50'),
        p99: medianOf('p99'),
        cpuPerDeliveryUs: medianOf('cpuPerDeliveryUs'),
        serverCpuPct: medianOf('serverCpuPct'),
        loadgenCpuPct: medianOf('loadgenCpuPct'),
      };
    });
  }
  return arms;
}

function summarizeRooms(scenario) {
  return byArm(scenario, (run) => ({
    ...runFigures(run.shared),
    inboundAloneUs: run.solo.serverCpuPerMessageUs,
    inboundAloneDatabaseUs: run.solo.databaseCpuPerMessageUs,
    databaseCpuPerMessageUs: run.shared.databaseCpuPerMessageUs,
    writesPerMessage:
      run.shared.serverWriteCalls === undefined || !run.shared.sent
        ? undefined
        : run.shared.serverWriteCalls / run.shared.sent,
    joinWaiting: run.joinWaiting,
  }));
}

/** Per arm, the medians over rounds of each pass's figures (`random`, `latest`, `concurrent`) and the seeding's. */
function summarizeHistory(scenario) {
  return byArm(scenario, (run) => ({
    messages: run.messages,
    migrateMs: run.seeded.migrateMs,
    insertMs: run.seeded.insertMs,
    analyzeMs: run.seeded.analyzeMs,
    ...Object.assign(
      {},
      ...['random', 'latest', 'concurrent'].map((pass) => prefixed(pass, run[pass])),
    ),
  }));
}

function prefixed(prefix, figures) {
  return Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [
      `${prefix}${key[0].toUpperCase()}${key.slice(1)}`,
      value,
    ]),
  );
}

/** How loaded the machine was by others and by the load generator, per scenario. */
function summarizeNoise(results) {
  const out = {};
  for (const [id, scenario] of Object.entries(results.scenarios)) {
    const runs = Object.values(scenario.arms)
      .flat()
      .flatMap((run) => measuredRuns(run));
    if (runs.length === 0) continue;
    out[id] = {
      runs: runs.length,
      foreignCpuPctMedian: median(runs.map((run) => run.foreignCpuPct)),
      foreignCpuPctMax: Math.max(0, ...runs.map((run) => run.foreignCpuPct)),
      loadgenCpuPctMax: Math.max(0, ...runs.map((run) => run.loadgenCpuPct)),
      retried: runs.filter((run) => run.noisy).length,
    };
  }
  return out;
}

/** Server CPU summed over every measured run, from schedstat and from utime + stime, to show they agree. */
function crossCheckCpu(results) {
  const runs = Object.values(results.scenarios)
    .flatMap((scenario) => Object.values(scenario.arms).flat())
    .flatMap((run) => measuredRuns(run));
  const schedstatS = runs.reduce((sum, run) => sum + run.serverCpuUs, 0) / 1e6;
  const statS = runs.reduce((sum, run) => sum + (run.serverStatCpuUs ?? 0), 0) / 1e6;
  return { schedstatS, statS };
}

function measuredRuns(run) {
  if (run.error) return [];
  return [
    run.warmup,
    ...(run.rungs ?? []),
    ...(run.refinements ?? []),
    run.shared,
    run.solo,
    run.relay,
    ...(run.batches ?? []),
  ].filter(Boolean);
}

function targets(summary) {
  const ref = REFERENCE_ARM;
  const rows = [];
  const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  if (summary.fanout) {
    const value = ratio(summary.fanout.switchboard?.maxRate, summary.fanout[ref]?.maxRate);
    rows.push({
      id: 'fanoutMaxRate',
      target: `fan-out maximum sustainable rate ≥ ${TARGETS.fanoutMaxRate}× the corked relay`,
      switchboard: summary.fanout.switchboard?.maxRate,
      baseline: summary.fanout[ref]?.maxRate,
      baselineTopSustained: summary.fanout[ref]?.topSustained,
      unit: 'msg/s',
      value,
      met: value !== undefined && value >= TARGETS.fanoutMaxRate,
    });
  }
  if (summary.rooms) {
    const value = ratio(
      summary.rooms.switchboard?.cpuPerDeliveryUs,
      summary.rooms[ref]?.cpuPerDeliveryUs,
    );
    rows.push({
      id: 'roomsCpuPerDelivery',
      target: `rooms of 10: server CPU per delivery ≤ ${TARGETS.roomsCpuPerDelivery}× the corked relay`,
      switchboard: summary.rooms.switchboard?.cpuPerDeliveryUs,
      baseline: summary.rooms[ref]?.cpuPerDeliveryUs,
      unit: 'µs',
      value,
      met: value !== undefined && value <= TARGETS.roomsCpuPerDelivery,
    });
    const sb = summary.rooms.switchboard?.inboundAloneUs;
    const base = summary.rooms[ref]?.inboundAloneUs;
    const extra = sb === undefined || base === undefined ? undefined : sb - base;
    rows.push({
      id: 'extraPerInboundUs',
      target: `extra server CPU per inbound message over the corked relay ≤ ${TARGETS.extraPerInboundUs} µs`,
      switchboard: sb,
      baseline: base,
      unit: 'µs',
      value: extra,
      difference: true,
      met: extra !== undefined && extra <= TARGETS.extraPerInboundUs,
    });
    // The contract's ack is a write of its own; a relay that sends one isolates the framework's cost.
    const acking = summary.rooms['corked-relay-ack']?.inboundAloneUs;
    if (acking !== undefined) {
      const own = sb === undefined ? undefined : sb - acking;
      rows.push({
        id: 'extraPerInboundOverAckingUs',
        target: `the same, over the corked relay that also acks each message (the framework's own cost) ≤ ${TARGETS.extraPerInboundUs} µs`,
        switchboard: sb,
        baseline: acking,
        baselineArm: 'corked-relay-ack',
        unit: 'µs',
        value: own,
        difference: true,
        met: own !== undefined && own <= TARGETS.extraPerInboundUs,
      });
      const perDelivery = ratio(
        summary.rooms.switchboard?.cpuPerDeliveryUs,
        summary.rooms['corked-relay-ack']?.cpuPerDeliveryUs,
      );
      rows.push({
        id: 'roomsCpuPerDeliveryOverAcking',
        target: `rooms of 10: server CPU per delivery over the corked relay that also acks ≤ ${TARGETS.roomsCpuPerDelivery}×`,
        switchboard: summary.rooms.switchboard?.cpuPerDeliveryUs,
        baseline: summary.rooms['corked-relay-ack']?.cpuPerDeliveryUs,
        baselineArm: 'corked-relay-ack',
        unit: 'µs',
        value: perDelivery,
        met: perDelivery !== undefined && perDelivery <= TARGETS.roomsCpuPerDelivery,
      });
    }
  }
  // Issue 4's memory target was read at the first level (10,000 sockets), against the bare ws relay.
  const idle = summary.idle?.levels[0]?.arms;
  if (idle) {
    const value = ratio(idle.switchboard?.rss, idle['ws-relay']?.rss);
    rows.push({
      id: 'idleMemoryPerSocket',
      target: `memory (RSS after GC) per idle socket ≤ ${TARGETS.idleMemoryPerSocket}× the bare ws relay`,
      switchboard: idle.switchboard?.rss,
      baseline: idle['ws-relay']?.rss,
      baselineArm: 'ws-relay',
      unit: 'B',
      value,
      met: value !== undefined && value <= TARGETS.idleMemoryPerSocket,
    });
    // RSS moves in pages and with the allocator; the JavaScript heap alone is the steadier signal.
    const heap = ratio(idle.switchboard?.heapUsed, idle['ws-relay']?.heapUsed);
    rows.push({
      id: 'idleHeapPerSocket',
      target: `the same, JavaScript heap only (heap used after GC per idle socket)`,
      switchboard: idle.switchboard?.heapUsed,
      baseline: idle['ws-relay']?.heapUsed,
      baselineArm: 'ws-relay',
      unit: 'B',
      value: heap,
      met: heap !== undefined && heap <= TARGETS.idleMemoryPerSocket,
    });
  }
  return rows;
}
