import { connectClients, isSustained, measureRun } from '../lib/measure.mjs';

/** Warm-up rate: low enough for every arm, so it checks membership and warms the JIT without overload. */
const WARMUP_RATE = 25;

/**
 * Finds the maximum sustainable send rate to one room (`lobby`) of `clients` members: a coarse ladder of
 * rates, the same for every arm, climbed until a rung is not sustained (< 99% delivered or p99 > 250 ms),
 * then `refineSteps` bisections (geometric) between the last sustained rung and the first that was not.
 * @param {import('../lib/bench-context.mjs').BenchContext} ctx
 * @param {import('../lib/session.mjs').Session} session
 * @param {import('../profiles.mjs').LadderScenario} config
 */
export async function climbLadder(ctx, session, config) {
  const connect = await connectClients(session, config);
  if (connect.connected < config.clients) {
    return {
      connect,
      error: `only ${connect.connected} of ${config.clients} connected: ${connect.firstError}`,
    };
  }
  const run = (rate, options) =>
    measureRun(
      ctx,
      session,
      {
        rate,
        durationMs: config.rungMs,
        target: 'lobby',
        recipients: connect.connected - 1,
        drainMs: config.drainMs,
      },
      options,
    );
  const warmup = await run(WARMUP_RATE, { retryIfNoisy: false });
  // A rung sustained despite others' load would be sustained without it: only failures are retried.
  const rung = (rate) => run(rate, { retryIfNoisy: (result) => !isSustained(result) });
  const rungs = [];
  let sustained = 0;
  let failed;
  for (const rate of config.ladder) {
    const result = await rung(rate);
    rungs.push(result);
    if (!isSustained(result)) {
      failed = rate;
      break;
    }
    sustained = rate;
  }
  const refinements = [];
  for (
    let step = 0;
    failed !== undefined && sustained > 0 && step < config.refineSteps;
    step += 1
  ) {
    const rate = Math.round(Math.sqrt(sustained * failed));
    if (rate <= sustained || rate >= failed) break;
    const result = await rung(rate);
    refinements.push(result);
    if (isSustained(result)) sustained = rate;
    else failed = rate;
  }
  const best = [...rungs, ...refinements].find((result) => result.rate === sustained);
  return {
    connect,
    warmup,
    rungs,
    refinements,
    maxRate: sustained,
    best,
    ceiling: failed === undefined,
  };
}
