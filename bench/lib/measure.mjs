import {
  machineBusyMicros,
  processCpuMicros,
  processStatCpuMicros,
  processSyscalls,
} from './process-cpu.mjs';
import { backendCpuWindow } from './bench-database.mjs';
import { waitForQuietMachine } from './quiet-machine.mjs';

const QUIET_MS = 300;
/** Above this share of a core used by other processes during a run, the run is repeated once. */
/** Others' CPU during a run, in % of one core, past which the run is repeated once the machine is quiet. */
export const NOISY_FOREIGN_PCT = 25;

/** The criterion of a sustained rung: at least 99% delivered with p99 latency at most 250 ms. */
export function isSustained(run) {
  return run.deliveredRatio >= 0.99 && run.latency.p99 !== undefined && run.latency.p99 <= 250;
}

/**
 * Connects the session's clients: `clients` sockets spread over the servers, the first `senders` of
 * them send, the last `probes` measure latency. With `append`, they join the clients already connected.
 */
export function connectClients(
  session,
  { clients, senders, probes, timeoutMs = 20_000, append = false },
) {
  return session.loadgen.request(
    'connect',
    {
      ports: session.ports,
      dialect: session.arm.dialect,
      clients,
      senders,
      probes,
      concurrency: 64,
      timeoutMs,
      append,
    },
    120_000,
  );
}

/**
 * One paced run (see bench/load/main.mjs `run`), after the previous run's backlog is gone, with the CPU
 * every process used meanwhile read from /proc: the servers, the load generator, Redis, the PostgreSQL
 * backends serving the session's schema (`databaseCpu…`, apart from the servers'), and whatever else ran
 * on the machine (`foreignCpuPct`: other users of this shared machine). Process CPU comes from
 * schedstat (nanoseconds); the servers' utime + stime (ticks) is kept beside it as `serverStatCpuUs`. A run during which
 * others used more than a quarter of a core is repeated once the machine is quiet (while the run's
 * retry budget lasts, and when `retryIfNoisy` says so: false for warm-ups, a predicate on the run to retry
 * only runs whose outcome the noise may have changed), and the quieter of the two is kept; `noisy`
 * records that it happened.
 * @param {import('./bench-context.mjs').BenchContext} ctx
 * @param {import('./session.mjs').Session} session
 */
export async function measureRun(ctx, session, args, { retryIfNoisy = true } = {}) {
  const first = await measureOnce(ctx, session, args);
  const wanted = typeof retryIfNoisy === 'function' ? retryIfNoisy(first) : retryIfNoisy;
  if (!wanted || first.foreignCpuPct <= NOISY_FOREIGN_PCT || ctx.retriesLeft <= 0) return first;
  ctx.retriesLeft -= 1;
  const { waitedMs } = await waitForQuietMachine({ maxWaitMs: ctx.profile.quietWaitMs });
  const second = await measureOnce(ctx, session, args);
  const kept = second.foreignCpuPct <= first.foreignCpuPct ? second : first;
  return {
    ...kept,
    noisy: { foreignCpuPct: [first.foreignCpuPct, second.foreignCpuPct], waitedMs },
  };
}

async function measureOnce(ctx, session, args) {
  await session.loadgen.request('quiet', { quietMs: QUIET_MS }, 30_000);
  const backends = await backendCpuWindow(session.database);
  const window = cpuWindow({
    servers: session.servers.map((server) => server.pid),
    loadgen: session.loadgen.pid,
    redis: session.redisPrefix ? ctx.redisPid : undefined,
  });
  const run = await session.loadgen.request('run', { ...args, quietMs: 0 }, 60_000);
  const database = await backends?.stop();
  const cpu = window.stop(database?.micros ?? 0);
  return {
    ...run,
    serverCpuUs: Math.round(cpu.serverCpuUs),
    serverStatCpuUs: Math.round(cpu.serverStatCpuUs),
    serverCpuPct: cpu.pct(cpu.serverCpuUs),
    serverCpuPerDeliveryUs:
      run.deliveries > 0 ? round2(cpu.serverCpuUs / run.deliveries) : undefined,
    serverCpuPerMessageUs: run.sent > 0 ? round2(cpu.serverCpuUs / run.sent) : undefined,
    serverReadCalls: cpu.serverReadCalls,
    serverWriteCalls: cpu.serverWriteCalls,
    loadgenCpuPct: cpu.pct(cpu.loadgenCpuUs),
    redisCpuPct: cpu.redisCpuUs === undefined ? undefined : cpu.pct(cpu.redisCpuUs),
    ...(database && {
      databaseCpuUs: Math.round(database.micros),
      databaseCpuPct: cpu.pct(database.micros),
      databaseCpuPerMessageUs: run.sent > 0 ? round2(database.micros / run.sent) : undefined,
      databaseBackends: database.backends,
    }),
    foreignCpuPct: cpu.foreignCpuPct,
  };
}

/**
 * Starts reading, from /proc, the CPU the servers, the load generator and Redis (when given) use, and the
 * machine's; `stop()` gives what each used since, with `pct` to turn microseconds into a share of one core
 * over the wall time, and `foreignCpuPct`, what every other process (not these, nor this one, nor the
 * `alsoOursUs` the caller measured itself, such as PostgreSQL's backends) used: other users of this
 * shared machine.
 * @param {{ servers: number[], loadgen: number, redis?: number }} pids
 */
export function cpuWindow(pids) {
  const before = snapshot(pids);
  return {
    stop(alsoOursUs = 0) {
      const after = snapshot(pids);
      const wallUs = (after.at - before.at) * 1000;
      const used = (key) => after[key] - before[key];
      const pct = (micros) => Math.round((micros / wallUs) * 1000) / 10;
      const ours = used('servers') + used('loadgen') + used('redis') + used('self') + alsoOursUs;
      return {
        serverCpuUs: used('servers'),
        serverStatCpuUs: used('serverStat'),
        serverReadCalls: after.serverIo.reads - before.serverIo.reads,
        serverWriteCalls: after.serverIo.writes - before.serverIo.writes,
        loadgenCpuUs: used('loadgen'),
        redisCpuUs: pids.redis ? used('redis') : undefined,
        foreignCpuPct: pct(Math.max(0, used('machine') - ours)),
        pct,
      };
    },
  };
}

function snapshot({ servers, loadgen, redis }) {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    self: self.user + self.system,
    servers: servers.reduce((sum, pid) => sum + processCpuMicros(pid), 0),
    serverStat: servers.reduce((sum, pid) => sum + processStatCpuMicros(pid), 0),
    serverIo: servers
      .map(processSyscalls)
      .reduce((sum, io) => ({ reads: sum.reads + io.reads, writes: sum.writes + io.writes }), {
        reads: 0,
        writes: 0,
      }),
    loadgen: processCpuMicros(loadgen),
    redis: redis ? processCpuMicros(redis) : 0,
    machine: machineBusyMicros(),
  };
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
