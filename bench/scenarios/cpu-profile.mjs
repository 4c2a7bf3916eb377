import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { armNamed } from '../arms.mjs';
import { connectClients, measureRun } from '../lib/measure.mjs';
import { withSession } from '../lib/session.mjs';
import { summarizeCpuProfile } from '../report/cpu-profile-summary.mjs';

/** Monotonic microseconds, the clock V8's profiles use (CLOCK_MONOTONIC, shared by every process). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * CPU profiles: Switchboard alone, started as `node --cpu-prof dist/main.js`, under one load, and the self
 * time per function and per package of the samples taken while that load ran. Two loads:
 * - `fanout`: `rate` msg/s to the 1000 members of `lobby` (where deliveries cost);
 * - `rooms`: the rooms scenario's clients in rooms of `roomSize`, at its rate (small rooms, many senders);
 * - `inbound`: the rooms scenario's clients, each alone in a room, at its rate (where inbound messages
 *   cost: no deliveries, only the pipeline and the ack).
 */
export const cpuProfileScenario = {
  id: 'cpu-profile',
  /** Profiles Switchboard once under the given load. */
  run: async (ctx, { kind, rate }) => {
    const dir = join(ctx.logDir, `cpu-profile-${kind}`);
    mkdirSync(dir, { recursive: true });
    const arm = armNamed('switchboard');
    const nodeFlags = ['--cpu-prof', '--cpu-prof-dir', dir];
    let measured;
    let window;
    await withSession(ctx, { arm, nodeFlags, stopSignal: 'SIGINT' }, async (session) => {
      const load = await LOADS[kind](ctx, session);
      // Warm-up, outside the window.
      await load(Math.max(25, rate / 4), 1000);
      const startUs = monotonicUs();
      measured = await load(rate, ctx.profile.cpuProfileMs);
      window = { startUs, endUs: monotonicUs() };
      // Clients leave before the server is told to stop, so that its graceful shutdown is quick.
      await session.loadgen.close();
    });
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    return {
      kind,
      rate,
      run: measured,
      file: join(dir, file),
      ...summarizeCpuProfile(join(dir, file), window),
    };
  },
};

async function fanoutLoad(ctx, session) {
  const config = ctx.profile.fanout;
  const connect = await connectClients(session, config);
  return unrepeatedRuns(ctx, session, {
    target: 'lobby',
    recipients: connect.connected - 1,
    drainMs: config.drainMs,
  });
}

/** The rooms scenario's clients in `rooms` rooms, sending to their own room. */
async function roomsLoad(ctx, session, rooms, prefix) {
  const config = ctx.profile.rooms;
  await connectClients(session, { ...config, senders: config.clients });
  await session.loadgen.request('join', { rooms, prefix, timeoutMs: 20_000 }, 30_000);
  const recipients = config.clients / rooms - 1;
  return unrepeatedRuns(ctx, session, {
    target: 'own',
    recipients,
    drainMs: config.drainMs,
    settleMs: recipients === 0 ? 300 : 0,
  });
}

/** Runs of `args` at a rate and for a time; not repeated when noisy: the profile would then hold both runs. */
function unrepeatedRuns(ctx, session, args) {
  return (rate, durationMs) =>
    measureRun(ctx, session, { rate, durationMs, ...args }, { retryIfNoisy: false });
}

const LOADS = {
  fanout: fanoutLoad,
  rooms: (ctx, session) =>
    roomsLoad(ctx, session, ctx.profile.rooms.clients / ctx.profile.rooms.roomSize, 'room-'),
  inbound: (ctx, session) => roomsLoad(ctx, session, ctx.profile.rooms.clients, 'solo-'),
};
