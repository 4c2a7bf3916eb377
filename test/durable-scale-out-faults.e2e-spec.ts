import { AckedSender, repeated, sendContinuously, wholeHistory } from './utils/acked-traffic.js';
import { databasePerSuite } from './utils/database.js';
import { readyStatus } from './utils/readiness.js';
import { uniquePrefix } from './utils/redis.js';
import { RedisServer } from './utils/redis-server.js';
import { TcpProxy } from './utils/tcp-proxy.js';
import { startApp, type TestApp } from './utils/test-app.js';
import type { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const ROOM = 'relay';

/** The ids of the room messages a client was shown live, in arrival order. */
function liveIds(client: TestClient): string[] {
  return client.inbox.filter((frame) => frame.event === 'message').map((f) => f.data.id as string);
}

/** Every message id acked to these senders, and the clientMsgId each answered. */
function ackedOf(senders: readonly AckedSender[]): Map<string, string> {
  return new Map(senders.flatMap((sender) => [...sender.acked]));
}

/** The clientMsgId a message was sent with (its text is `<uid> <n>`). */
function clientMsgIdOf(message: { from: { id: string }; text: string }): string {
  return `${message.from.id}-${message.text.split(' ')[1]}`;
}

/**
 * Two nodes on PostgreSQL and a Redis of the test's own. Node B reaches Redis through a TCP proxy, so
 * a test can cut B alone off. History is the database's, so a Redis restart (empty: no persistence)
 * loses none of it; and a node whose subscriber was away catches up from the database, so its clients
 * are shown every message live, once and in order.
 */
describe('two nodes on PostgreSQL when Redis fails', { timeout: 60_000 }, () => {
  const database = databasePerSuite('postgres', 'redis_faults');
  let redis: RedisServer;
  let proxy: TcpProxy;
  let nodes: TestApp[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start();
    proxy = await TcpProxy.start(redis.port);
    const prefix = uniquePrefix('durable-redis-faults');
    nodes = await Promise.all(
      [redis.url, `redis://127.0.0.1:${proxy.port}`].map((url) =>
        startApp({
          DATABASE_URL: database.url,
          REDIS_URL: url,
          REDIS_KEY_PREFIX: prefix,
          RATE_LIMIT_BURST: '100000',
          RATE_LIMIT_PER_SECOND: '100000',
          USER_RATE_LIMIT_PER_SECOND: '100000',
          LOG_LEVEL: 'fatal',
        }),
      ),
    );
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    nodes = [];
    await proxy.cut();
    await redis.kill();
  });

  /** A client of `uid` on node `n`, in the room. */
  async function joined(n: number, uid: string): Promise<TestClient> {
    const client = await nodes[n].connect(asUser(uid));
    expect((await client.request('join', { room: ROOM })).event).toBe('joined');
    return client;
  }

  async function bothReady(): Promise<boolean> {
    const statuses = await Promise.all(nodes.map((node) => readyStatus(node.httpUrl)));
    return statuses.every((status) => status === 200);
  }

  it('loses nothing acked before, during and after a Redis kill -9 and restart: same history, ids and dedupe on both nodes, every message live once on node B', async () => {
    const writers = [new AckedSender('wa', ROOM), new AckedSender('wb', ROOM)];
    for (const [n, writer] of writers.entries()) writer.attach(await joined(n, writer.uid));
    const listener = await joined(1, 'listener');
    for (const writer of writers) for (let i = 0; i < 3; i += 1) await writer.sendOne();
    await waitFor(() => liveIds(listener).length >= 6, 'node B to show the first six messages');

    const traffic = sendContinuously(writers);
    const ackedAtKill = writers.map((writer) => writer.acked.size + 2);
    await waitFor(
      () => writers.every((writer, i) => writer.acked.size >= ackedAtKill[i]),
      'acks under traffic',
    );
    await redis.kill();
    await waitFor(
      () => writers.every((writer) => writer.unavailable >= 2),
      'both writers to be answered unavailable',
    );
    await waitFor(async () => !(await bothReady()), '/health/ready to answer 503');
    await redis.restart();
    await waitFor(bothReady, 'both nodes to be ready again', 20_000);
    const ackedAtRestart = writers.map((writer) => writer.acked.size);
    await waitFor(
      () => writers.every((writer, i) => writer.acked.size >= ackedAtRestart[i] + 3),
      'both writers to be acked after the restart',
      20_000,
    );
    await traffic.stop();
    for (const writer of writers) writer.resend();
    await Promise.all(writers.map((writer) => writer.settled()));

    const acked = ackedOf(writers);
    const histories = await Promise.all(
      [0, 1].map(async (n) => wholeHistory(await joined(n, `reader-${n}`), ROOM)),
    );
    expect(histories[1]).toEqual(histories[0]);
    expect(repeated(histories[0].map((m) => m.id))).toEqual([]);
    expect(new Map(histories[0].map((m) => [clientMsgIdOf(m), m.id]))).toEqual(acked);
    await waitFor(
      () => liveIds(listener).length >= acked.size,
      `node B's listener to be shown all ${acked.size} messages`,
    );
    expect(liveIds(listener)).toEqual(histories[0].map((m) => m.id));
    // A resend through the other node gets the first ack's id: dedupe agrees across nodes.
    const wa = await joined(1, 'wa');
    const again = await wa.request('message', { room: ROOM, text: 'wa 1', clientMsgId: 'wa-1' });
    expect(again.data.id).toBe(acked.get('wa-1'));
  });

  it("shows node B's clients live, once and in order, what node A stored while B was cut off from Redis", async () => {
    const writer = new AckedSender('writer', ROOM);
    writer.attach(await joined(0, 'writer'));
    const listener = await joined(1, 'listener');
    for (let i = 0; i < 3; i += 1) await writer.sendOne();
    await waitFor(() => liveIds(listener).length >= 3, 'node B to show the first messages');

    await proxy.cut();
    await waitFor(
      async () => (await readyStatus(nodes[1].httpUrl)) === 503,
      'node B to be not ready',
    );
    for (let i = 0; i < 10; i += 1) expect((await writer.sendOne()).event).toBe('ack');
    await proxy.restore();
    await waitFor(
      async () => (await readyStatus(nodes[1].httpUrl)) === 200,
      'node B to be ready again',
      20_000,
    );
    for (let i = 0; i < 3; i += 1) expect((await writer.sendOne()).event).toBe('ack');

    const acked = [...writer.acked.values()];
    await waitFor(
      () => liveIds(listener).length >= acked.length,
      `node B's listener to be shown all ${acked.length} messages`,
    );
    expect(liveIds(listener)).toEqual(acked);
    expect(await listener.collect('message', 200)).toHaveLength(acked.length);
  });
});
