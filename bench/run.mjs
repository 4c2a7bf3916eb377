/**
 * `npm run bench`: runs every scenario against Switchboard and its baselines, arms interleaved and
 * repeated, saves the raw results to bench/results/<run>.json and writes docs/BENCHMARKS.md with a chart.
 * Any other run (`--quick`, `--scenario`, `--rounds`, `--arms`) writes its report to bench/results/report-<run>/.
 *
 *   node bench/run.mjs [--quick]
 *     [--scenario=fanout,rooms,seed,idle,connect,cluster,history,cpu-profile] [--rounds=N]
 *     [--arms=corked-relay,corked-relay-ack,ws-relay,lean-relay,socket.io,switchboard,
 *       switchboard-sqlite,switchboard-postgres] [--no-report]
 *
 * `cpu-profile` runs Switchboard alone under `--cpu-prof`, once at half its fan-out maximum sustainable rate
 * (100 msg/s when fan-out did not run) and once under the rooms scenario's inbound load with no
 * deliveries, and summarizes where its CPU time went.
 *
 * `history` runs only the arms with a database: a room of 1,000,000 messages seeded in it, then history
 * pages timed over real sockets.
 *
 * Needs `dist/` built (`npm run bench` builds it when stale), for the cluster scenario Redis on this
 * machine (BENCH_REDIS_URL, default redis://127.0.0.1:6379), and for the PostgreSQL arm PostgreSQL on
 * this machine (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test; the bench creates
 * and drops a schema of its own per run of the arm); every process and every byte of traffic stays on
 * this machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARMS, runsIn } from './arms.mjs';
import { createBenchContext } from './lib/bench-context.mjs';
import { describeMachine, describeSource } from './lib/machine.mjs';
import { waitForQuietMachine } from './lib/quiet-machine.mjs';
import { MAX_RATE_PER_SENDER, PROFILES } from './profiles.mjs';
import { readPreviousReport } from './report/previous-report.mjs';
import { writeReport } from './report/write-report.mjs';
import { SCENARIOS } from './scenarios/index.mjs';
import { cpuProfileScenario } from './scenarios/cpu-profile.mjs';
import { median } from './lib/stats.mjs';

// Interrupted: exit, so that the exit hooks stop every server and load generator this run started.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const args = parseArgs(process.argv.slice(2));
const profile = structuredClone(PROFILES[args.quick ? 'quick' : 'full']);
checkRatesPerSender(profile);
const known = [...SCENARIOS, cpuProfileScenario];
const selected = args.scenario ? args.scenario.split(',') : known.map((scenario) => scenario.id);
for (const id of selected) {
  if (!known.some((scenario) => scenario.id === id))
    throw new Error(`unknown scenario ${id}; known: ${known.map((s) => s.id).join(', ')}`);
}
const scenarios = SCENARIOS.filter((scenario) => selected.includes(scenario.id));
const arms = args.arms ? ARMS.filter((arm) => args.arms.includes(arm.id)) : ARMS;
if (arms.length === 0)
  throw new Error(`no such arms: ${args.arms}; known: ${ARMS.map((a) => a.id).join(', ')}`);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Load goes to this machine only, Redis and PostgreSQL included.
for (const [name, url] of [
  ['BENCH_REDIS_URL', redisUrl],
  ['BENCH_POSTGRES_URL', postgresUrl],
]) {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname))
    throw new Error(`${name} must point at this machine (127.0.0.1), not ${url}`);
}
const needsPostgres = scenarios.some((scenario) =>
  arms.some((arm) => arm.database === 'postgres' && runsIn(arm, scenario.id)),
);
const ctx = await createBenchContext({
  profile,
  redisUrl,
  needsRedis: scenarios.some((scenario) => scenario.id === 'cluster'),
  postgresUrl: needsPostgres ? postgresUrl : undefined,
});

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const started = new Date();
const results = {
  runId: ctx.runId,
  command,
  profile,
  machine: describeMachine(),
  source: describeSource(ctx.root),
  startedAt: started.toISOString(),
  // Read now, before this run may replace it: issue 12's fan-out target compares with it.
  previousReport: readPreviousReport(ctx.root),
  arms,
  scenarios: {},
};
log(
  `bench ${ctx.runId}: ${scenarios.map((s) => s.id).join(', ')}, ${profile.name} profile; logs in ${ctx.logDir}`,
);
try {
  for (const scenario of scenarios) {
    const rounds = args.rounds ?? profile[scenario.id].rounds;
    const scenarioArms = arms.filter((arm) => runsIn(arm, scenario.id));
    const byArm = Object.fromEntries(scenarioArms.map((arm) => [arm.id, []]));
    // The arms with a database may run fewer rounds than the others, to keep the whole run short.
    const databaseRounds = Math.min(rounds, profile[scenario.id].databaseRounds ?? rounds);
    results.scenarios[scenario.id] = {
      rounds,
      ...(databaseRounds < rounds && { databaseRounds }),
      arms: byArm,
    };
    for (let round = 0; round < rounds; round += 1) {
      const inRound = scenarioArms.filter((arm) => !arm.database || round < databaseRounds);
      // Interleaved: each round starts with a different arm, so that no arm always runs first or last.
      const order = inRound.map((_, i) => inRound[(i + round) % inRound.length]);
      for (const arm of order) {
        const machine = await waitForQuietMachine({ maxWaitMs: profile.quietWaitMs });
        const began = performance.now();
        let result;
        try {
          result = await scenario.run(ctx, arm);
        } catch (error) {
          result = { error: error.message };
        }
        result.round = round;
        result.machineBefore = machine;
        result.durationMs = Math.round(performance.now() - began);
        byArm[arm.id].push(result);
        log(
          `${scenario.id} round ${round + 1}/${arm.database ? databaseRounds : rounds} ${arm.id}: ${headline(scenario.id, result)} (${(result.durationMs / 1000).toFixed(1)} s)`,
        );
      }
    }
  }
  if (selected.includes('cpu-profile')) {
    const maxRates = results.scenarios.fanout?.arms.switchboard
      .filter((run) => !run.error)
      .map((run) => run.maxRate);
    // Half the maximum: the profiler's own overhead would tip the maximum itself into overload.
    const fanoutRate = Math.max(
      50,
      Math.round(((maxRates?.length && median(maxRates)) || 200) / 2),
    );
    results.cpuProfiles = [];
    for (const load of [
      { kind: 'fanout', rate: fanoutRate },
      { kind: 'rooms', rate: profile.rooms.rate },
      { kind: 'inbound', rate: profile.rooms.rate },
    ]) {
      await waitForQuietMachine({ maxWaitMs: profile.quietWaitMs });
      try {
        const result = await cpuProfileScenario.run(ctx, load);
        results.cpuProfiles.push(result);
        const top = result.functions.slice(0, 3).map((f) => `${f.function} ${f.pct}%`);
        log(
          `cpu-profile ${load.kind} at ${load.rate} msg/s: ${result.totalMs} ms sampled; top: ${top.join(', ')}`,
        );
      } catch (error) {
        results.cpuProfiles.push({ ...load, error: error.message });
        log(`cpu-profile ${load.kind}: error: ${error.message}`);
      }
    }
  }
} finally {
  await ctx.redis?.deletePrefix(ctx.redisPrefix);
  await ctx.close();
}
results.durationMs = Date.now() - started.getTime();
mkdirSync(join(ctx.root, 'bench', 'results'), { recursive: true });
const resultsFile = join(ctx.root, 'bench', 'results', `${ctx.runId}.json`);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
log(`raw results: ${resultsFile} (${(results.durationMs / 60000).toFixed(1)} min)`);
if (!args.noReport) {
  // Only a complete default run may replace docs/BENCHMARKS.md; any other run reports beside its results.
  const complete = !args.quick && !args.scenario && !args.rounds && !args.arms;
  const dir = complete
    ? join(ctx.root, 'docs')
    : join(ctx.root, 'bench', 'results', `report-${ctx.runId}`);
  mkdirSync(dir, { recursive: true });
  const written = await writeReport(dir, results);
  log(`report: ${written.join(', ')}`);
}

/** One line per arm run for the console. */
function headline(id, result) {
  if (result.error) return `error: ${result.error}`;
  if (id === 'fanout' || id === 'cluster')
    return `max ${result.maxRate} msg/s (${result.best?.deliveriesPerSec ?? 0} deliveries/s, p99 ${result.best?.latency.p99 ?? '-'} ms)`;
  if (id === 'rooms') {
    const database = result.solo.databaseCpuPerMessageUs;
    return `${result.shared.serverCpuPerDeliveryUs} µs/delivery, ${result.solo.serverCpuPerMessageUs} µs/inbound alone${database === undefined ? '' : ` (+ ${database} µs in PostgreSQL's backends)`}`;
  }
  if (id === 'idle')
    return result.levels
      .map(
        (level) =>
          `${level.connected} sockets: ${level.perSocket.rss} B RSS, ${level.perSocket.heapUsed} B heap per socket`,
      )
      .join('; ');
  if (id === 'connect')
    return `${result.cpuPerConnectionUs} µs per connection opened (${result.connected} opened, ${result.failed} failed, ${result.connectionsPerSec}/s)`;
  if (id === 'history') {
    const pass = (name, p) =>
      `${name} p50 ${p.p50} ms p99 ${p.p99} ms${p.wrong ? ` (${p.wrong} wrong)` : ''}`;
    return `seeded ${result.messages} in ${result.seeded.insertMs} ms; ${pass('random', result.random)}; ${pass('latest', result.latest)}; ${pass(`${result.concurrent.sockets} sockets`, result.concurrent)} (${result.concurrent.pagesPerSec} pages/s)`;
  }
  if (id === 'seed')
    return `${(result.relay.deliveredRatio * 100).toFixed(2)}% delivered, p99 ${result.relay.latency.p99} ms, ${result.relay.serverCpuPerDeliveryUs} µs/delivery`;
  return '';
}

/** Refuses a profile whose senders would exceed Switchboard's per-connection rate limit. */
function checkRatesPerSender({ fanout, cluster, rooms, seed }) {
  const perSender = [
    Math.max(...fanout.ladder) / fanout.senders,
    Math.max(...cluster.ladder) / cluster.senders,
    rooms.rate / rooms.clients,
    seed.rate / seed.clients,
  ];
  if (perSender.some((rate) => rate > MAX_RATE_PER_SENDER))
    throw new Error(`a profile asks a sender for more than ${MAX_RATE_PER_SENDER} msg/s`);
}

function parseArgs(argv) {
  const parsed = {};
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'quick') parsed.quick = true;
    else if (key === 'no-report') parsed.noReport = true;
    else if (key === 'scenario') parsed.scenario = value;
    else if (key === 'rounds') parsed.rounds = Number(value);
    else if (key === 'arms') parsed.arms = value.split(',');
    else throw new Error(`unknown option ${arg}`);
  }
  return parsed;
}

function log(line) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}
