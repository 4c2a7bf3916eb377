import { setTimeout as sleep } from 'node:timers/promises';
import { connectClients } from '../lib/measure.mjs';
import { openFileLimit, openFilesLeft } from '../lib/open-files.mjs';
import { withSession } from '../lib/session.mjs';

/** How long the sockets sit idle before memory is read. */
const SETTLE_MS = 1500;
/** Descriptors left free in the server and the load generator, for whatever they open meanwhile. */
const SPARE_FILES = 20;

/**
 * Idle: connections that send nothing, opened up to each level of `sockets` in turn (10,000, then
 * 10,000 more to 20,000) on the same server. The server's memory (preloaded hook: two forced
 * collections, then `process.memoryUsage()`) is read before the first connection and at each level; the
 * difference per socket is what an idle socket costs at that level. A level above what the open-file
 * limit allows (each socket is a descriptor in the server and in the load generator; `ulimit -n` is
 * 20,000 on the 2-core machine and cannot be raised there) is read with as many sockets as fit, and says
 * so (`filesLimit`).
 */
export const idleScenario = {
  id: 'idle',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm, memoryHook: true }, async (session) => {
      const [server] = session.servers;
      await sleep(300);
      const empty = await server.memory();
      const levels = [];
      let open = 0;
      for (const sockets of ctx.profile.idle.sockets) {
        const pids = [server.pid, session.loadgen.pid];
        const room = Math.min(...pids.map(openFilesLeft)) - SPARE_FILES;
        const target = Math.min(sockets, open + room);
        const connect = await connectClients(session, {
          clients: target - open,
          senders: 0,
          probes: 0,
          timeoutMs: 30_000,
          append: open > 0,
        });
        open += connect.connected;
        await sleep(SETTLE_MS);
        const loaded = await server.memory();
        const per = (field, phase = 'afterGc') =>
          Math.round((loaded[phase][field] - empty.afterGc[field]) / open);
        levels.push({
          sockets,
          connected: open,
          filesLimit: target < sockets ? Math.min(...pids.map(openFileLimit)) : undefined,
          connect,
          loaded,
          perSocket: {
            rss: per('rss'),
            heapUsed: per('heapUsed'),
            external: per('external'),
            steadyRss: per('rss', 'steady'),
          },
        });
        if (connect.failed > 0) break;
      }
      return { empty, levels };
    }),
};
