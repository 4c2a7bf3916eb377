import { freePort } from './utils/free-port.mjs';
import { RedisServer } from './utils/redis-server.js';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

const TRAFFIC_MS = 1500;

/** The process's log lines at warn (40) or above. */
function problems(server: ServerProcess): Record<string, unknown>[] {
  return server.logLines.filter((line) => Number(line.level) >= 40);
}

describe('a Redis outage in the logs (node dist/main.js)', { timeout: 30_000 }, () => {
  let redis: RedisServer | undefined;
  let server: ServerProcess | undefined;
  let client: TestClient | undefined;

  afterEach(async () => {
    client?.socket.terminate();
    await server?.kill();
    await redis?.kill();
    client = server = redis = undefined;
  });

  it('logs once when Redis becomes unreachable and once when it is back, however much traffic meanwhile', async () => {
    redis = await RedisServer.start();
    const port = await freePort();
    server = await ServerProcess.start({
      PORT: String(port),
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `outage-${port}:`,
      NODE_HEARTBEAT_MS: '200',
      NODE_TTL_MS: '600',
      // The loop below outpaces the default rate; refusals past RATE_LIMIT_SILENT_AFTER go unanswered.
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    });
    client = await TestClient.connect(`ws://127.0.0.1:${port}/`, { query: { uid: 'talker' } });
    await client.request('join', { room: 'outage' });
    const before = problems(server).length;

    await redis.kill();
    const until = Date.now() + TRAFFIC_MS;
    for (let i = 0; Date.now() < until; i += 1) {
      await client.request('message', { room: 'outage', text: `lost ${i}`, clientMsgId: `m-${i}` });
      await client.request('history', { room: 'outage' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const during = problems(server!).slice(before);
    expect(during, JSON.stringify(during, null, 1)).toHaveLength(1);
    expect(during[0]).toMatchObject({ level: 50, context: 'Redis' });
    expect(during[0].msg).toContain('unreachable');

    await redis.restart();
    await waitFor(
      () => server!.logLines.some((line) => String(line.msg).includes('reachable again')),
      'the "reachable again" line',
    );
    // Heartbeats and reconnect attempts keep going for a while: nothing more is logged for them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(problems(server!).slice(before)).toHaveLength(1);
    const back = server!.logLines.filter((line) => String(line.msg).includes('reachable again'));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: 30, context: 'Redis' });
  });
});
