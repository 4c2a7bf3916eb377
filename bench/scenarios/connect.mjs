import { setTimeout as sleep } from 'node:timers/promises';
import { connectClients, NOISY_FOREIGN_PCT } from '../lib/measure.mjs';
import { machineBusyMicros, processCpuMicros, processStatCpuMicros } from '../lib/process-cpu.mjs';
import { waitForQuietMachine } from '../lib/quiet-machine.mjs';
import { withSession } from '../lib/session.mjs';

/** After a batch's last handshake, how long the server may take to finish with its new sockets. */
const SETTLE_MS = 100;
/** Pause between batches, outside the measured windows. */
const PAUSE_MS = 100;

/**
 * Connect: the CPU a server spends per connection opened (handshake, identity, registry, default room).
 * A first batch warms the server up, unmeasured; then `connections` sockets are opened in batches of
 * `batch`, one after another, each batch's window running from its first upgrade to `SETTLE_MS` after
 * its last; the server's CPU over the windows (schedstat, with utime + stime beside it) divided by the
 * sockets opened is its cost per connection. Batches keep the node under its connection-rate limit
 * (raised for the bench anyway), so that refusals are not what is measured; every socket stays open. A
 * batch others loaded the machine during is measured again once it is quiet, as `measureRun` does.
 */
export const connectScenario = {
  id: 'connect',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm }, async (session) => {
      const config = ctx.profile.connect;
      const [server] = session.servers;
      const open = (clients, append) =>
        connectClients(session, { clients, senders: 0, probes: 0, timeoutMs: 30_000, append });
      const warmUp = await open(config.warmUp, false);
      if (warmUp.failed > 0) return { warmUp, error: `warm-up: ${warmUp.firstError}` };
      const batches = [];
      const measureBatch = async (clients) => {
        await sleep(PAUSE_MS);
        const pids = { server: server.pid, loadgen: session.loadgen.pid };
        const before = snapshot(pids);
        const connect = await open(clients, true);
        await sleep(SETTLE_MS);
        const after = snapshot(pids);
        const serverCpuUs = after.server - before.server;
        const loadgenUs = after.loadgen - before.loadgen;
        const wallUs = (after.at - before.at) * 1000;
        const pct = (micros) => Math.round((micros / wallUs) * 1000) / 10;
        return {
          connected: connect.connected,
          failed: connect.failed,
          firstError: connect.firstError,
          connectMs: connect.ms,
          serverCpuUs: Math.round(serverCpuUs),
          serverStatCpuUs: Math.round(after.serverStat - before.serverStat),
          serverCpuPct: pct(serverCpuUs),
          loadgenCpuPct: pct(loadgenUs),
          foreignCpuPct: pct(Math.max(0, after.machine - before.machine - serverCpuUs - loadgenUs)),
        };
      };
      for (let opened = 0; opened < config.connections; opened += config.batch) {
        const clients = Math.min(config.batch, config.connections - opened);
        let batch = await measureBatch(clients);
        // As measureRun does: a batch others loaded the machine during is measured again once it is quiet
        // (one more batch of sockets, the first left open and uncounted), and the quieter of the two kept.
        if (batch.foreignCpuPct > NOISY_FOREIGN_PCT && ctx.retriesLeft > 0) {
          ctx.retriesLeft -= 1;
          const { waitedMs } = await waitForQuietMachine({ maxWaitMs: ctx.profile.quietWaitMs });
          const again = await measureBatch(clients);
          const kept = again.foreignCpuPct <= batch.foreignCpuPct ? again : batch;
          batch = {
            ...kept,
            noisy: { foreignCpuPct: [batch.foreignCpuPct, again.foreignCpuPct], waitedMs },
          };
        }
        batches.push(batch);
      }
      const sum = (key) => batches.reduce((total, batch) => total + batch[key], 0);
      const connected = sum('connected');
      return {
        warmUp,
        batches,
        connected,
        failed: sum('failed'),
        firstError: batches.find((batch) => batch.firstError)?.firstError,
        cpuPerConnectionUs: connected > 0 ? round1(sum('serverCpuUs') / connected) : undefined,
        statCpuPerConnectionUs:
          connected > 0 ? round1(sum('serverStatCpuUs') / connected) : undefined,
        connectionsPerSec: Math.round(connected / (sum('connectMs') / 1000)),
      };
    }),
};

function snapshot({ server, loadgen }) {
  return {
    at: performance.now(),
    server: processCpuMicros(server),
    serverStat: processStatCpuMicros(server),
    loadgen: processCpuMicros(loadgen),
    machine: machineBusyMicros(),
  };
}

function round1(value) {
  return Math.round(value * 10) / 10;
}
