import { createTestDatabase, POSTGRES_URL, type TestDatabase } from './utils/database.js';
import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { TcpProxy } from './utils/tcp-proxy.js';
import { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

const TRAFFIC_MS = 1500;

/** The process's log lines at warn (40) or above. */
function problems(server: ServerProcess): Record<string, unknown>[] {
  return server.logLines.filter((line) => Number(line.level) >= 40);
}

describe('a PostgreSQL outage (node dist/main.js)', { timeout: 30_000 }, () => {
  let database: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  let client: TestClient | undefined;

  afterEach(async () => {
    client?.socket.terminate();
    await server?.kill();
    await proxy?.cut();
    await database?.drop();
    client = server = proxy = database = undefined;
  });

  it('is logged once when it starts and once when it ends, and the node serves again by itself', async () => {
    database = await createTestDatabase('postgres', 'outage');
    proxy = await TcpProxy.start(Number(new URL(POSTGRES_URL).port));
    const throughProxy = new URL(database.url);
    throughProxy.port = String(proxy.port);
    const port = await freePort();
    server = await ServerProcess.start({
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATABASE_URL: throughProxy.href,
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    });
    client = await TestClient.connect(`ws://127.0.0.1:${port}/`, { query: { uid: 'talker' } });
    await client.request('join', { room: 'outage' });
    expect((await client.request('message', { room: 'outage', text: 'before' })).event).toBe('ack');
    const before = problems(server).length;

    await proxy.cut();
    const answers = new Set<string>();
    const until = Date.now() + TRAFFIC_MS;
    for (let i = 0; Date.now() < until; i += 1) {
      const reply = await client.request('message', {
        room: 'outage',
        text: `lost ${i}`,
        clientMsgId: `m-${i}`,
      });
      answers.add(reply.event === 'error' ? reply.data.code : reply.event);
      await client.request('history', { room: 'outage' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    expect([...answers]).toEqual(['unavailable']);
    const during = problems(server).slice(before);
    expect(during, JSON.stringify(during, null, 1)).toHaveLength(1);
    expect(during[0]).toMatchObject({ level: 50, context: 'Database' });
    expect(during[0].msg).toContain('unreachable');

    await proxy.restore();
    await waitFor(async () => {
      const reply = await client!.request('message', { room: 'outage', text: 'after' });
      return reply.event === 'ack';
    }, 'a send to be acked again');
    // The line is written before the ack, but the pipe may bring it to this process after it.
    await waitFor(
      () => server!.logLines.some((line) => String(line.msg).includes('reachable again')),
      'the "reachable again" line',
    );
    const back = server.logLines.filter((line) => String(line.msg).includes('reachable again'));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: 30, context: 'Database' });
    expect(problems(server).slice(before)).toHaveLength(1);
    const history = await client.request('history', { room: 'outage' });
    expect(history.data.messages.map((m: { text: string }) => m.text)).toEqual(['before', 'after']);
  });
});
