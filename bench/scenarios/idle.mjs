import { setTimeout as sleep } from 'node:timers/promises';
import { connectClients } from '../lib/measure.mjs';
import { withSession } from '../lib/session.mjs';

/** How long the sockets sit idle before memory is read. */
const SETTLE_MS = 1500;

/**
 * Idle: `sockets` connections that send nothing. The server's memory (preloaded hook: two forced
 * collections, then `process.memoryUsage()`) is read before the first connection and with all of them
 * open; the difference per socket is what an idle socket costs.
 */
export const idleScenario = {
  id: 'idle',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm, memoryHook: true }, async (session) => {
      const { sockets } = ctx.profile.idle;
      const [server] = session.servers;
      await sleep(300);
      const empty = await server.memory();
      const connect = await connectClients(session, {
        clients: sockets,
        senders: 0,
        probes: 0,
        timeoutMs: 30_000,
      });
      await sleep(SETTLE_MS);
      const loaded = await server.memory();
      const per = (field, phase = 'afterGc') =>
        Math.round((loaded[phase][field] - empty.afterGc[field]) / connect.connected);
      return {
        connect,
        empty,
        loaded,
        perSocket: {
          rss: per('rss'),
          heapUsed: per('heapUsed'),
          external: per('external'),
          steadyRss: per('rss', 'steady'),
        },
      };
    }),
};
