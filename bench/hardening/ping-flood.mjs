import { setTimeout as sleep } from 'node:timers/promises';
import { drainUntilClosed, maskedPings, openRawWebSocket } from '../lib/raw-socket.mjs';
import { sampleRss } from '../lib/rss.mjs';
import { withSwitchboard } from './switchboard.mjs';

const PINGS = 1_000_000;
const PINGS_PER_CHUNK = 10_000;
/** The flood stops here whatever happened; waiting for the socket to drain counts. */
const FLOOD_LIMIT_MS = 30_000;
const AFTER_MS = 1000;

/**
 * Ping flood: a socket that never reads writes 1,000,000 masked empty pings in chunks of 10,000, as fast as
 * its TCP socket drains, stopping when the server closes it. Reports whether and when it was closed, and
 * the server's RSS growth (peak, sampled every 50 ms, until a second after the flood).
 */
export const pingFlood = {
  id: 'ping-flood',
  /** @param {import('./switchboard.mjs').HardeningRun} run */
  run: (run) =>
    withSwitchboard(run, 'ping-flood', {}, async (server) => {
      const { socket, rest } = await openRawWebSocket(server.port, '/?uid=flooder&name=flooder');
      const chunk = maskedPings(PINGS_PER_CHUNK);
      const rss = sampleRss(server.pid);
      const started = performance.now();
      let closedAtMs;
      let closedBy;
      const closed = new Promise((resolve) => {
        const onClosed = (how) => () => {
          closedAtMs ??= Math.round(performance.now() - started);
          closedBy ??= how;
          resolve();
        };
        socket.once('error', onClosed('reset'));
        socket.once('close', onClosed('close'));
      });
      let sent = 0;
      while (sent < PINGS && closedAtMs === undefined) {
        if (performance.now() - started > FLOOD_LIMIT_MS) break;
        sent += PINGS_PER_CHUNK;
        if (!socket.write(chunk))
          await Promise.race([
            new Promise((resolve) => socket.once('drain', resolve)),
            closed,
            sleep(1000),
          ]);
      }
      const floodMs = Math.round(performance.now() - started);
      await Promise.race([closed, sleep(AFTER_MS)]);
      const memory = rss.stop();
      // Still not known to be closed: read what the server sent, looking for its close.
      const drained =
        closedAtMs === undefined ? await drainUntilClosed(socket, rest, 3000) : undefined;
      if (drained?.closed) {
        closedAtMs = Math.round(performance.now() - started);
        closedBy = drained.code ? `${drained.how} ${drained.code}` : drained.how;
      }
      socket.destroy();
      return {
        pingsWritten: sent,
        floodMs,
        closed: closedAtMs !== undefined,
        closedAtMs,
        closedBy,
        rss: memory,
      };
    }),
};
