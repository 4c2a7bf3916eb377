import { connectClients, measureRun } from '../lib/measure.mjs';
import { withSession } from '../lib/session.mjs';

/** How long a run without deliveries waits after its last send for the server to finish with it. */
const SETTLE_MS = 300;

/**
 * Rooms: `clients` connections in rooms of `roomSize`, every connection a sender, at one fixed rate for
 * every arm. Then the same clients each alone in a room of their own, at the same rate: no deliveries,
 * so the server's CPU per message is its cost per inbound message (Switchboard's includes its `ack`).
 */
export const roomsScenario = {
  id: 'rooms',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm }, async (session) => {
      const config = ctx.profile.rooms;
      const connect = await connectClients(session, { ...config, senders: config.clients });
      if (connect.connected < config.clients) {
        return {
          connect,
          error: `only ${connect.connected} of ${config.clients} connected: ${connect.firstError}`,
        };
      }
      const join = (rooms, prefix) =>
        session.loadgen.request('join', { rooms, prefix, timeoutMs: 20_000 }, 30_000);
      const run = (recipients, settleMs) =>
        measureRun(ctx, session, {
          rate: config.rate,
          durationMs: config.durationMs,
          target: 'own',
          recipients,
          drainMs: config.drainMs,
          settleMs,
        });
      const rooms = config.clients / config.roomSize;
      const grouped = await join(rooms, 'room-');
      // Steady state, not start-up: until the JIT has compiled the path, its compiler threads take CPU
      // that the measured run would count (a framework has more code to compile than a bare relay).
      const warmUp = (recipients) =>
        measureRun(
          ctx,
          session,
          {
            rate: config.rate,
            durationMs: config.warmUpMs,
            target: 'own',
            recipients,
            drainMs: config.drainMs,
          },
          { retryIfNoisy: false },
        );
      await warmUp(config.roomSize - 1);
      const shared = await run(config.roomSize - 1, 0);
      const alone = await join(config.clients, 'solo-');
      await warmUp(0);
      const solo = await run(0, SETTLE_MS);
      return { connect, joinWaiting: grouped.waiting + alone.waiting, shared, solo };
    }),
};
