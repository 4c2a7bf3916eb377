/**
 * `npm run bench:hardening`: measures the targets of issue 11 ("Hardening"), each against a fresh
 * `node dist/main.js` and each bounded in time (one to two minutes in all), prints them and writes
 * docs/HARDENING.md:
 * - join burst: 40 maximal `join`-with-`since` from one socket that never reads; other users' message
 *   round trip under 100 ms and RSS growth under 64 MiB;
 * - ping flood: 1,000,000 pings from a socket that never reads; the socket is closed and RSS grows by
 *   less than 64 MiB;
 * - idle heartbeats: 10,000 idle sockets, a heartbeat every 2 s over five rounds; `/health/live` polled
 *   every 100 ms never takes over 50 ms.
 *
 *   node bench/hardening.mjs [--scenario=join-burst,ping-flood,idle-heartbeats] [--entry=path/to/main.js]
 *     [--no-report]
 *
 * A run of some scenarios, or of another entry point (`--entry`, e.g. an older build), prints its
 * report without writing docs/HARDENING.md. Needs `dist/` built (`npm run bench:hardening` builds it when
 * stale); every process and every byte of traffic stays on this machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { idleHeartbeats } from './hardening/idle-heartbeats.mjs';
import { joinBurst } from './hardening/join-burst.mjs';
import { pingFlood } from './hardening/ping-flood.mjs';
import { describeMachine, describeSource } from './lib/machine.mjs';
import { mib } from './lib/rss.mjs';
import { quantile } from './lib/stats.mjs';

// Interrupted: exit, so that the exit hooks stop every server and load generator this run started.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const SCENARIOS = [joinBurst, pingFlood, idleHeartbeats];
const LIMIT_MIB = 64;
const ROUND_TRIP_LIMIT_MS = 100;
const HEALTH_LIMIT_MS = 50;

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = 'true'] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const root = fileURLToPath(new URL('..', import.meta.url));
const selected = args.scenario ? args.scenario.split(',') : SCENARIOS.map((s) => s.id);
for (const id of selected)
  if (!SCENARIOS.some((scenario) => scenario.id === id))
    throw new Error(`unknown scenario ${id}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
const started = new Date();
const runId = started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
const logDir = join(root, 'bench', 'results', `hardening-${runId}`);
mkdirSync(logDir, { recursive: true });
const run = { root, entry: args.entry ? resolve(args.entry) : 'dist/main.js', logDir };

const results = {};
for (const scenario of SCENARIOS.filter((s) => selected.includes(s.id))) {
  console.log(`${scenario.id}…`);
  results[scenario.id] = await scenario.run(run);
}
writeFileSync(join(logDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const command = `npm run bench:hardening${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const report = render(results, {
  command,
  started,
  minutes: Math.round(((Date.now() - started.getTime()) / 60_000) * 10) / 10,
});
console.log(`\n${report}`);
const complete = SCENARIOS.every((scenario) => results[scenario.id]);
if (complete && !args.entry && args['no-report'] === undefined) {
  writeFileSync(join(root, 'docs', 'HARDENING.md'), report);
  console.log('written to docs/HARDENING.md');
}
console.log(`logs and raw results in ${logDir}`);
// Done: the servers were killed; nothing else should hold the process open.
process.exit(0);

/** The markdown report: one table of the targets, then the details of each scenario. */
function render(results, { command, started, minutes }) {
  const machine = describeMachine();
  const source = describeSource(root);
  const ms = (value) => (value === undefined ? 'n/a' : `${Math.round(value * 10) / 10} ms`);
  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      count: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1),
    };
  };
  const yes = (met) => (met ? 'yes' : '**no**');
  const targets = [];
  const details = [];
  const burst = results['join-burst'];
  if (burst) {
    const rt = stats(burst.roundTripMs);
    const before = stats(burst.roundTripBeforeMs);
    const health = stats(burst.healthMs);
    targets.push(
      `| ${burst.joins} maximal \`join\`-with-\`since\` from a non-reading socket: other users' round trip < ${ROUND_TRIP_LIMIT_MS} ms | max ${ms(rt.max)} (p50 ${ms(rt.p50)}) | ${yes(rt.max < ROUND_TRIP_LIMIT_MS)} |`,
      `| the same: RSS growth < ${LIMIT_MIB} MiB | ${mib(burst.rss.growth)} MiB | ${yes(mib(burst.rss.growth) < LIMIT_MIB)} |`,
    );
    details.push(
      '## Join burst',
      '',
      `Room \`burst\` holds ${burst.messages} messages of 4,000 \`\\u0001\` (each escapes to 6 bytes of JSON). One socket that never reads (its TCP socket paused after the upgrade) sends ${burst.joins} \`join\` with \`since\` of the room's first message in one write; for ${burst.windowMs / 1000} s two other users exchange a message every 50 ms (the next once the previous arrived; one still on its way at the end counts as what it waited so far), \`/health/live\` is polled every 100 ms, and the server's RSS is sampled every 50 ms. The server runs with per-connection and per-user rates raised to seed the room quickly (the 40 joins fit the default burst anyway).`,
      '',
      '|  |  |',
      '| --- | --- |',
      `| round trip before the burst | p50 ${ms(before.p50)}, max ${ms(before.max)} (${before.count} samples) |`,
      `| round trip after the burst | p50 ${ms(rt.p50)}, p99 ${ms(rt.p99)}, max ${ms(rt.max)} (${rt.count} samples) |`,
      `| \`/health/live\` after the burst | p50 ${ms(health.p50)}, max ${ms(health.max)} (${health.count} polls, ${burst.healthFailures} failed) |`,
      `| RSS | ${mib(burst.rss.baseline)} MiB before, peak ${mib(burst.rss.peak)} MiB: +${mib(burst.rss.growth)} MiB |`,
      `| the non-reading socket | ${burst.bursterClosed.closed ? `closed by the server (${burst.bursterClosed.how}${burst.bursterClosed.code ? ` ${burst.bursterClosed.code}` : ''})` : 'still open 2 s after it started reading'} |`,
      '',
    );
  }
  const flood = results['ping-flood'];
  if (flood) {
    targets.push(
      `| 1,000,000 pings from a non-reading socket: the socket is closed | ${flood.closed ? `closed after ${flood.closedAtMs} ms (${flood.closedBy})` : 'not closed'} | ${yes(flood.closed)} |`,
      `| the same: RSS growth < ${LIMIT_MIB} MiB | ${mib(flood.rss.growth)} MiB | ${yes(mib(flood.rss.growth) < LIMIT_MIB)} |`,
    );
    details.push(
      '## Ping flood',
      '',
      "One socket that never reads writes masked empty pings in chunks of 10,000 (60 KB) as fast as its TCP socket drains, up to 1,000,000 or until the server closes it (at most 30 s); RSS is sampled every 50 ms until a second after the flood. When the flood ends without an error the socket starts reading, to find the server's close frame or end.",
      '',
      '|  |  |',
      '| --- | --- |',
      `| pings written | ${flood.pingsWritten.toLocaleString('en-US')} in ${flood.floodMs} ms |`,
      `| socket | ${flood.closed ? `closed ${flood.closedAtMs} ms after the flood began (${flood.closedBy})` : 'never closed'} |`,
      `| RSS | ${mib(flood.rss.baseline)} MiB before, peak ${mib(flood.rss.peak)} MiB: +${mib(flood.rss.growth)} MiB |`,
      '',
    );
  }
  const idle = results['idle-heartbeats'];
  if (idle) {
    const health = stats(idle.healthMs);
    const over = idle.healthMs.filter((value) => value > HEALTH_LIMIT_MS).length;
    targets.push(
      `| ${idle.connected.toLocaleString('en-US')} idle sockets, heartbeats every ${idle.heartbeatIntervalMs / 1000} s: no \`/health/live\` poll over ${HEALTH_LIMIT_MS} ms | max ${ms(health.max)} (${over} of ${health.count} over) | ${yes(health.max <= HEALTH_LIMIT_MS && idle.connected === idle.sockets)} |`,
    );
    details.push(
      '## Idle heartbeats',
      '',
      `${idle.sockets.toLocaleString('en-US')} idle sockets from the load generator (which answers pings) on a server with \`HEARTBEAT_INTERVAL_MS=${idle.heartbeatIntervalMs}\` and the connection limits raised for one IP; after they settle, \`/health/live\` is polled every 100 ms (a new connection each time, as a probe does; polls never overlap) for ${idle.rounds} heartbeat rounds, again (up to four windows) while other processes use more than a quarter of a core, keeping the quietest window. An event-loop stall shows as a slow poll: a process cannot be asked its event-loop delay from outside, so this is the measurement.`,
      '',
      '|  |  |',
      '| --- | --- |',
      `| sockets open | ${idle.connected.toLocaleString('en-US')}${idle.connectFailed ? ` (${idle.connectFailed} failed: ${idle.connectError})` : ''} |`,
      `| \`/health/live\` | p50 ${ms(health.p50)}, p99 ${ms(health.p99)}, max ${ms(health.max)} (${health.count} polls, ${idle.healthFailures} failed, ${over} over ${HEALTH_LIMIT_MS} ms) |`,
      `| server CPU over the rounds | ${idle.serverCpuPct}% of a core |`,
      `| other processes on the machine meanwhile | ${idle.otherCpuPct}% of a core${idle.windows.length > 1 ? ` (the quietest of ${idle.windows.length} windows; slowest polls ${idle.windows.map((w) => `${Math.round(w.maxHealthMs)} ms at ${w.otherCpuPct}%`).join(', ')})` : ''} |`,
      '',
    );
  }
  return [
    '# Hardening targets',
    '',
    `The targets of issue 11, measured by \`${command}\` (bench/hardening.mjs) on ${started.toISOString().slice(0, 10)} in ${minutes} minutes, against \`${run.entry}\` as built from commit \`${source.commit}\`${source.uncommittedSrcFiles ? ` with ${source.uncommittedSrcFiles} uncommitted files under src/` : ''}. Each scenario starts a fresh server (memory engine) and is bounded in time. Machine: ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}, Node.js ${machine.node}; a shared machine, so single samples (maxima above all) can include other processes' noise.`,
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...targets,
    '',
    ...details,
  ].join('\n');
}
