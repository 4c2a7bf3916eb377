import { connectClients, measureRun } from '../lib/measure.mjs';
import { withSession } from '../lib/session.mjs';

/**
 * Seed: the classic relay. `clients` connections all send plain text (not JSON; Switchboard takes it as a
 * `message` to `lobby`), and every frame goes to every other client, at one fixed rate for every arm.
 */
export const seedScenario = {
  id: 'seed',
  /** Runs one arm once. */
  run: (ctx, arm) =>
    withSession(ctx, { arm }, async (session) => {
      const config = ctx.profile.seed;
      const connect = await connectClients(session, { ...config, senders: config.clients });
      if (connect.connected < config.clients) {
        return {
          connect,
          error: `only ${connect.connected} of ${config.clients} connected: ${connect.firstError}`,
        };
      }
      const run = (rate, durationMs, options) =>
        measureRun(
          ctx,
          session,
          {
            rate,
            durationMs,
            target: 'plain',
            recipients: connect.connected - 1,
            drainMs: config.drainMs,
          },
          options,
        );
      await run(config.rate / 4, 500, { retryIfNoisy: false });
      return { connect, relay: await run(config.rate, config.durationMs) };
    }),
};
