import { createClient } from 'redis';
import { CloseCode } from '../src/index.js';
import { ModerationStore, SERVICE_SCOPE } from '../src/engine/moderation-store.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { RedisServer } from './utils/redis-server.js';
import type { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

async function isReady(node: TestApp): Promise<boolean> {
  const response = await fetch(`${node.httpUrl}/health/ready`, {
    signal: AbortSignal.timeout(2000),
  });
  return response.status === 200;
}

/** Sends until the server answers `unavailable`: the node notices a dead Redis within a few sends. */
async function sendUntilUnavailable(client: TestClient, room: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const reply = await client.request('message', {
      room,
      text: 'into the void',
      clientMsgId: `void-${attempt}`,
    });
    if (reply.event === 'error') {
      expect(reply.data.code).toBe('unavailable');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never answered unavailable while Redis was down');
}

describe('Redis faults', () => {
  let redis: RedisServer;
  let nodes: TestApp[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start();
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    nodes = [];
    await redis.kill();
  });

  async function startNodes(count: number): Promise<TestApp[]> {
    nodes = await Promise.all(
      Array.from({ length: count }, () =>
        startApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'faults:', LOG_LEVEL: 'error' }),
      ),
    );
    await waitFor(
      async () => (await Promise.all(nodes.map(isReady))).every(Boolean),
      'every node to be ready',
    );
    return nodes;
  }

  it('answers unavailable and is not ready while Redis is down, and resumes when it returns', async () => {
    const [sut, other] = await startNodes(2);
    const sender = await sut.connect({ query: { uid: 'sender' } });
    const receiver = await other.connect({ query: { uid: 'receiver' } });
    await sender.request('join', { room: 'ops' });
    await receiver.request('join', { room: 'ops' });

    await redis.kill();
    await sendUntilUnavailable(sender, 'ops');
    await waitFor(async () => !(await isReady(sut)), '/health/ready to report not ready');

    await redis.restart();
    await waitFor(
      async () => (await isReady(sut)) && (await isReady(other)),
      'both nodes to be ready again',
    );
    await receiver.request('join', { room: 'ops' });
    const ack = await sender.request('message', {
      room: 'ops',
      text: 'back',
      clientMsgId: 'after-outage',
    });

    expect(ack.event).toBe('ack');
    expect((await receiver.next('message')).data).toMatchObject({ id: ack.data.id, text: 'back' });
    expect(sender.isOpen && receiver.isOpen).toBe(true);
  });

  it('answers unavailable to every request that needs Redis while it is down: join of a new room, history, members, leave', async () => {
    const [sut] = await startNodes(1);
    const client = await sut.connect({ query: { uid: 'outage-reader' } });
    await client.request('join', { room: 'known' });

    await redis.kill();
    await sendUntilUnavailable(client, 'known');
    const replies = [
      await client.request('join', { room: 'new-during-outage' }),
      await client.request('history', { room: 'known' }),
      await client.request('members', { room: 'known' }),
      await client.request('leave', { room: 'known' }),
    ];

    // Each needs Redis (subscribe, history read, presence hash, presence leave): each says so, none hangs.
    expect(replies.map((reply) => [reply.event, reply.data.code])).toEqual([
      ['error', 'unavailable'],
      ['error', 'unavailable'],
      ['error', 'unavailable'],
      ['error', 'unavailable'],
    ]);
    expect(client.isOpen).toBe(true);
  });

  it('answers a `since` from before Redis lost its data with recovered: false and the latest messages', async () => {
    const [sut] = await startNodes(1);
    const client = await sut.connect({ query: { uid: 'reader' } });
    await client.request('join', { room: 'epochs' });
    const old = await client.request('message', { room: 'epochs', text: 'before the loss' });

    await redis.restart();
    await waitFor(() => isReady(sut), 'the node to be ready again');
    const fresh = await client.request('message', { room: 'epochs', text: 'after the loss' });
    const joined = await client.request('join', { room: 'epochs', since: old.data.id });

    expect(joined.data.recovered).toBe(false);
    expect(joined.data.messages.map((m: { id: string }) => m.id)).toEqual([fresh.data.id]);
  });

  it('delivers what pub/sub missed while a node was resubscribing, once and in order', async () => {
    const [writerNode, readerNode] = await startNodes(2);
    const writer = await writerNode.connect({ query: { uid: 'writer' } });
    const reader = await readerNode.connect({ query: { uid: 'reader' } });
    await writer.request('join', { room: 'gap' });
    await reader.request('join', { room: 'gap' });
    const first = await writer.request('message', { room: 'gap', text: 'm0' });
    await reader.next('message');

    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    const ids = [first.data.id];
    for (let i = 1; i <= 5; i += 1)
      ids.push((await writer.request('message', { room: 'gap', text: `m${i}` })).data.id);
    admin.destroy();

    const received: string[] = [];
    while (received.length < 5) received.push((await reader.next('message')).data.id as string);
    expect(received).toEqual(ids.slice(1));
    expect(await reader.collect('message', 200)).toEqual([]);
  });

  it("applies a ban whose notice and command a node's subscriber missed, once it resubscribes", async () => {
    const [moderatorNode, userNode] = await startNodes(2);
    const eve = await userNode.connect({ query: { uid: 'eve' } });
    const ada = await userNode.connect({ query: { uid: 'ada' } });
    await ada.request('join', { room: 'ops' });

    // Stored as a ban is, but never published: as if its notice and its leave or disconnect command went
    // out while the user's node was not subscribed.
    const store = moderatorNode.app.get(ModerationStore);
    const now = Date.now();
    await store.set(
      { kind: 'ban', scope: SERVICE_SCOPE, userId: 'eve', reason: 'fraud', by: 'm', at: now },
      100,
      now,
    );
    await store.set({ kind: 'ban', scope: 'ops', userId: 'ada', by: 'm', at: now }, 100, now);
    expect(await ada.collect('left', 300)).toEqual([]);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    admin.destroy();

    expect(await eve.waitClosed()).toMatchObject({
      code: CloseCode.ServerDisconnect,
      reason: 'banned: fraud',
    });
    expect((await ada.next('left')).data).toEqual({ room: 'ops' });
    const rejoin = await ada.request('join', { room: 'ops' });
    expect(rejoin.data.code).toBe('forbidden');
  });

  describe('with AOF persistence (appendfsync always)', () => {
    beforeEach(async () => {
      await redis.kill();
      redis = await RedisServer.start({ durable: true });
    });

    it('loses no acknowledged message across a Redis SIGKILL and restart, and shows none twice', async () => {
      const [writerNode, readerNode] = await startNodes(2);
      const writer = await writerNode.connect({ query: { uid: 'writer' } });
      const reader = await readerNode.connect({ query: { uid: 'reader' } });
      await writer.request('join', { room: 'durable' });
      await reader.request('join', { room: 'durable' });
      const before: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        before.push((await writer.request('message', { room: 'durable', text: `b${i}` })).data.id);
      }

      await redis.kill();
      await redis.restart();
      await waitFor(
        async () => (await isReady(writerNode)) && (await isReady(readerNode)),
        'both nodes to be ready again',
      );
      const after: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        after.push((await writer.request('message', { room: 'durable', text: `a${i}` })).data.id);
      }

      const live: string[] = [];
      while (live.length < 15) live.push((await reader.next('message')).data.id as string);
      expect(live).toEqual([...before, ...after]);
      expect(await reader.collect('message', 200)).toEqual([]);
      const latecomer = await readerNode.connect({ query: { uid: 'latecomer' } });
      const joined = await latecomer.request('join', { room: 'durable', since: before[2] });
      expect(joined.data.recovered).toBe(true);
      expect(joined.data.messages.map((m: { id: string }) => m.id)).toEqual([
        ...before.slice(3),
        ...after,
      ]);
    });
  });
});
