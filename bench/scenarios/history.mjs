import { backendCpuWindow } from '../lib/bench-database.mjs';
import { EnvelopeClient } from '../lib/envelope-client.mjs';
import { migrate, seedRoom } from '../lib/history-seed.mjs';
import { processCpuMicros } from '../lib/process-cpu.mjs';
import { withSession } from '../lib/session.mjs';
import { quantile } from '../lib/stats.mjs';

const ROOM = 'history';
/** A page as the issue states it, and as the protocol's default `limit`. */
const PAGE = 50;
/**
 * The per-connection frame rate is not what is measured: raised so that one socket may ask page after
 * page (the rest of the configuration is the arm's).
 */
const HISTORY_ENV = { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' };

/**
 * History: one room holding `messages` messages (1,000,000), seeded directly in the database before the
 * server starts (its migrations first, through `node dist/db-migrate.js`; then the database's fastest bulk
 * insert, see bench/lib/history-seed.mjs), then `history` requests over real sockets, each timed from
 * the send to its reply:
 * - `random`: `before=<id>` at uniformly random depths, one request at a time on one socket;
 * - `latest`: no `before` (the newest page), one at a time;
 * - `concurrent`: random depths again, `concurrency` sockets each with one request in flight.
 * Each pass follows `warmUp` unmeasured requests, and checks every reply: 50 messages, the newest just
 * before the id asked for. Server CPU (and, on PostgreSQL, its backends' CPU) per page is read over
 * each pass.
 */
export const historyScenario = {
  id: 'history',
  /** Runs one arm (one with a database) once. */
  run: (ctx, arm) => {
    const config = ctx.profile.history;
    let seeded;
    const prepare = async (database) => {
      const started = performance.now();
      await migrate(ctx.entries.switchboard, database.url);
      const migrateMs = Math.round(performance.now() - started);
      seeded = { migrateMs, ...(await seedRoom(database, { room: ROOM, count: config.messages })) };
    };
    return withSession(ctx, { arm, env: HISTORY_ENV, prepare }, async (session) => {
      const [server] = session.servers;
      const clients = [];
      try {
        for (let i = 0; i < config.concurrency; i += 1)
          clients.push(await EnvelopeClient.open(server.port, `history-${i}`));
        const joined = await Promise.all(
          clients.map((client) => client.request('join', { room: ROOM })),
        );
        const newest = joined[0].data.messages?.at(-1)?.id;
        if (joined.some((frame) => frame.event !== 'joined') || !newest)
          return { seeded, error: `join: ${JSON.stringify(joined[0]).slice(0, 200)}` };
        const epoch = newest.slice(0, newest.indexOf('-'));
        const idOf = (seq) => `${epoch}-${String(seq).padStart(12, '0')}`;
        if (idOf(config.messages) !== newest)
          return { seeded, error: `the newest message is ${newest}, not ${idOf(config.messages)}` };
        // Uniform over every page that has 50 messages before it.
        const randomDepth = () => PAGE + 1 + Math.floor(Math.random() * (config.messages - PAGE));
        const pass = (sockets, samples, depth) =>
          timePass(session, sockets, { samples, warmUp: config.warmUp, depth, idOf });
        return {
          seeded,
          messages: config.messages,
          random: await pass([clients[0]], config.samples, randomDepth),
          latest: await pass([clients[0]], config.latestSamples, () => undefined),
          concurrent: await pass(clients, config.samples, randomDepth),
        };
      } finally {
        for (const client of clients) client.close();
      }
    });
  },
};

/**
 * `samples` history requests spread over `sockets`, each with one in flight, at the depth `depth()` picks
 * (undefined: the newest page); answers latency quantiles (ms), pages a second, and CPU per page.
 */
async function timePass(session, sockets, { samples, warmUp, depth, idOf }) {
  const ask = (client, seq) =>
    client.request(
      'history',
      seq === undefined ? { room: ROOM } : { room: ROOM, before: idOf(seq) },
    );
  for (let i = 0; i < warmUp; i += 1) await ask(sockets[i % sockets.length], depth());
  const [server] = session.servers;
  const latencies = [];
  let wrong = 0;
  let firstWrong;
  let started = 0;
  const backends = await backendCpuWindow(session.database);
  const cpuBefore = processCpuMicros(server.pid);
  const began = performance.now();
  await Promise.all(
    sockets.map(async (client) => {
      while (started < samples) {
        started += 1;
        const seq = depth();
        const sent = performance.now();
        const reply = await ask(client, seq);
        latencies.push(performance.now() - sent);
        const messages = reply.data.messages ?? [];
        const expectedLast = seq === undefined ? undefined : idOf(seq - 1);
        if (
          reply.event !== 'history' ||
          messages.length !== PAGE ||
          (expectedLast !== undefined && messages.at(-1).id !== expectedLast)
        ) {
          wrong += 1;
          firstWrong ??= JSON.stringify(reply).slice(0, 200);
        }
      }
    }),
  );
  const wallMs = performance.now() - began;
  const serverCpuUs = processCpuMicros(server.pid) - cpuBefore;
  const database = await backends?.stop();
  const sorted = Float64Array.from(latencies).sort();
  const ms = (value) => (value === undefined ? undefined : Math.round(value * 1000) / 1000);
  const perPage = (micros) => Math.round((micros / latencies.length) * 10) / 10;
  return {
    sockets: sockets.length,
    samples: latencies.length,
    wrong,
    firstWrong,
    p50: ms(quantile(sorted, 0.5)),
    p90: ms(quantile(sorted, 0.9)),
    p99: ms(quantile(sorted, 0.99)),
    max: ms(sorted.at(-1)),
    pagesPerSec: Math.round((latencies.length / wallMs) * 1000),
    serverCpuPerPageUs: perPage(serverCpuUs),
    databaseCpuPerPageUs: database ? perPage(database.micros) : undefined,
  };
}
