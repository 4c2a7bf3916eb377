import { setTimeout as sleep } from 'node:timers/promises';
import { pollHealth } from '../lib/health-poller.mjs';
import { drainUntilClosed, maskedTextFrame, openRawWebSocket } from '../lib/raw-socket.mjs';
import { sampleRss } from '../lib/rss.mjs';
import { openClient, request, startRoundTripProbe } from './round-trip-probe.mjs';
import { withSwitchboard } from './switchboard.mjs';

const MESSAGES = 1000;
/** MAX_TEXT_LENGTH's default; each control character escapes to 6 bytes of JSON. */
const TEXT = '\u0001'.repeat(4000);
const JOINS = 40;
const SEED_BATCH = 50;
const BASELINE_MS = 1000;
const WINDOW_MS = 5000;
const SEED_TIMEOUT_MS = 30_000;

/**
 * Join-burst amplification: a room holds 1,000 messages of 4,000 control characters; one socket that
 * never reads sends 40 `join`s with `since` of the room's first message. Measures, over the 5 s after the
 * burst, other users' message round trip (probed every 50 ms), `/health/live` (every 100 ms) and the
 * server's RSS growth.
 */
export const joinBurst = {
  id: 'join-burst',
  /** @param {import('./switchboard.mjs').HardeningRun} run */
  run: (run) =>
    withSwitchboard(
      run,
      'join-burst',
      // Seeding 1,000 messages quickly needs more than the default rates; the 40 joins fit the default burst anyway.
      {
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
        USER_RATE_LIMIT_PER_SECOND: '100000',
        HISTORY_MAX_MESSAGES: String(MESSAGES),
      },
      async (server) => {
        const firstId = await seed(server.port);
        const probe = await startRoundTripProbe(server.port);
        await sleep(BASELINE_MS);
        const before = probe.take();
        const { socket, rest } = await openRawWebSocket(server.port, '/?uid=burster&name=burster');
        const rss = sampleRss(server.pid);
        const health = pollHealth(server.port);
        const join = maskedTextFrame(
          JSON.stringify({ event: 'join', data: { room: 'burst', since: firstId } }),
        );
        socket.write(Buffer.concat(Array.from({ length: JOINS }, () => join)));
        await sleep(WINDOW_MS);
        const during = probe.take();
        const memory = rss.stop();
        const polls = await health.stop();
        probe.stop();
        const burster = await drainUntilClosed(socket, rest, 2000);
        return {
          messages: MESSAGES,
          joins: JOINS,
          windowMs: WINDOW_MS,
          roundTripBeforeMs: before,
          roundTripMs: during,
          healthMs: polls.latencies,
          healthFailures: polls.failures,
          rss: memory,
          bursterClosed: burster,
        };
      },
    ),
};

/** Fills room `burst` with MESSAGES maximal control-character messages; resolves with the first one's id. */
async function seed(port) {
  const seeder = await openClient(port, 'seeder');
  await request(seeder, 'join', { room: 'burst' }, (frame) => frame.event === 'joined');
  /** Answers awaited, by ref. */
  const waiting = new Map();
  seeder.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    const answer = waiting.get(frame.data?.ref);
    if (!answer) return;
    waiting.delete(frame.data.ref);
    answer(frame);
  });
  const send = (ref) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`seeding: no answer to ${ref} within ${SEED_TIMEOUT_MS} ms`)),
        SEED_TIMEOUT_MS,
      );
      waiting.set(ref, (frame) => {
        clearTimeout(timer);
        if (frame.event === 'ack') resolve(frame.data.id);
        else reject(new Error(`seeding failed: ${JSON.stringify(frame).slice(0, 200)}`));
      });
    });
  const message = (ref) =>
    seeder.send(JSON.stringify({ event: 'message', data: { room: 'burst', text: TEXT, ref } }));
  message('s0');
  const firstId = await send('s0');
  for (let start = 1; start < MESSAGES; start += SEED_BATCH) {
    const refs = [];
    for (let i = start; i < Math.min(MESSAGES, start + SEED_BATCH); i += 1) refs.push(`s${i}`);
    const acks = refs.map(send);
    refs.forEach(message);
    await Promise.all(acks);
  }
  seeder.terminate();
  return firstId;
}
