import http from 'node:http';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Polls `GET /health/live` every `everyMs` (a new connection each time, as a liveness probe does) until
 * `stop()`, which resolves with every poll's latency in ms. A poll still running when the next is due
 * delays it: polls never overlap, so one stall of the server is one long sample, not many.
 */
export function pollHealth(port, everyMs = 100) {
  const latencies = [];
  let failures = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      const ok = await getLive(port);
      const ms = performance.now() - started;
      latencies.push(ms);
      if (!ok) failures += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - ms)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return { latencies, failures };
    },
  };
}

function getLive(port) {
  return new Promise((resolve) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: '/health/live', agent: false, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode === 200));
        response.once('error', () => resolve(false));
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}
