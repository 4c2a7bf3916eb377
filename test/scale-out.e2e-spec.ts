import { startNodes, type TestApp } from './utils/test-app.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';

/** Low enough that 3 sockets x 30 sends break it in any split over two one-second windows. */
const USER_RATE = 30;

describe('three nodes on one Redis act as one server', () => {
  const prefix = uniquePrefix('scale-out');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await startNodes(3, {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      USER_RATE_LIMIT_PER_SECOND: String(USER_RATE),
    });
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it('delivers a room message sent on one node to members on every other node', async () => {
    const [alice, bob, carol] = await Promise.all(
      nodes.map((node, i) => node.connect({ query: { name: `user${i}`, uid: `u${i}` } })),
    );
    for (const client of [alice, bob, carol]) {
      expect((await client.request('join', { room: 'ops' })).event).toBe('joined');
    }

    const ack = await alice.request('message', { room: 'ops', text: 'across nodes' });

    expect(ack.event).toBe('ack');
    for (const other of [bob, carol]) {
      const { data } = await other.next('message');
      expect(data).toMatchObject({ id: ack.data.id, room: 'ops', text: 'across nodes' });
    }
  });

  it('gives ids that increase within a room whichever node accepted the message', async () => {
    const clients = await Promise.all(
      nodes.map((node, i) => node.connect({ query: { uid: `w${i}` } })),
    );
    for (const client of clients) await client.request('join', { room: 'order' });

    const ids: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const client of clients)
        ids.push((await client.request('message', { room: 'order', text: `${round}` })).data.id);
    }

    const history = await clients[0].request('history', { room: 'order' });
    expect(history.data.messages.map((m: { id: string }) => m.id)).toEqual(ids);
  });

  it("delivers a DM to every socket of the recipient on any node and to the sender's other sockets", async () => {
    const sender = await nodes[0].connect({ query: { uid: 'dm-sender' } });
    const senderPhone = await nodes[1].connect({ query: { uid: 'dm-sender' } });
    const laptop = await nodes[1].connect({ query: { uid: 'dm-to' } });
    const phone = await nodes[2].connect({ query: { uid: 'dm-to' } });

    const ack = await sender.request('dm', { to: 'dm-to', text: 'psst' });

    for (const socket of [laptop, phone, senderPhone]) {
      const { data } = await socket.next('dm');
      expect(data).toMatchObject({
        id: ack.data.id,
        to: 'dm-to',
        text: 'psst',
        from: { id: 'dm-sender' },
      });
    }
    expect(await sender.collect('dm', 150)).toEqual([]);
  });

  it('shows a user with sockets on two nodes once in members, and announces them once', async () => {
    const watcher = await nodes[0].connect({ query: { uid: 'watcher' } });
    await watcher.request('join', { room: 'team' });
    const first = await nodes[1].connect({ query: { uid: 'twin', name: 'twin' } });
    const second = await nodes[2].connect({ query: { uid: 'twin', name: 'twin' } });

    await first.request('join', { room: 'team' });
    const joined = await second.request('join', { room: 'team' });

    expect(joined.data.members.map((u: { id: string }) => u.id).sort()).toEqual([
      'twin',
      'watcher',
    ]);
    expect((await watcher.next('presence')).data).toMatchObject({
      action: 'join',
      user: { id: 'twin' },
    });
    expect(await watcher.collect('presence', 200)).toEqual([]);
  });

  it('announces to a socket that joined lobby on one node the users who connect and disconnect on the others', async () => {
    const watcher = await nodes[0].connect({ query: { name: 'watcher', uid: 'u-watcher' } });
    await watcher.request('join', { room: 'lobby' });

    const bob = await nodes[1].connect({ query: { name: 'bob', uid: 'u-bob' } });
    expect((await watcher.next('presence')).data).toEqual({
      room: 'lobby',
      user: { id: 'u-bob', name: 'bob' },
      action: 'join',
    });
    await bob.close();

    expect((await watcher.next('presence')).data).toMatchObject({
      room: 'lobby',
      user: { id: 'u-bob' },
      action: 'leave',
    });
  });

  it('acks a clientMsgId resent to another node with the first ack and delivers it once', async () => {
    const listener = await nodes[2].connect({ query: { uid: 'listener' } });
    await listener.request('join', { room: 'idem' });
    const first = await nodes[0].connect({ query: { uid: 'resender' } });
    await first.request('join', { room: 'idem' });
    const firstAck = await first.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });
    await first.close();

    const again = await nodes[1].connect({ query: { uid: 'resender' } });
    await again.request('join', { room: 'idem' });
    const secondAck = await again.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });

    expect(secondAck.data).toMatchObject({ id: firstAck.data.id, ts: firstAck.data.ts });
    await listener.next('message');
    expect(await listener.collect('message', 200)).toEqual([]);
  });

  it('recovers every message after `since` on another node', async () => {
    const writer = await nodes[0].connect({ query: { uid: 'writer' } });
    await writer.request('join', { room: 'resume' });
    const seen = await writer.request('message', { room: 'resume', text: 'seen' });
    const missed = [];
    for (const text of ['missed 1', 'missed 2'])
      missed.push((await writer.request('message', { room: 'resume', text })).data.id);

    const reader = await nodes[1].connect({ query: { uid: 'reader' } });
    const joined = await reader.request('join', { room: 'resume', since: seen.data.id });

    expect(joined.data.recovered).toBe(true);
    expect(joined.data.messages.map((m: { id: string }) => m.id)).toEqual(missed);
  });

  it('limits a flood split over several nodes per user', async () => {
    const floods = await Promise.all(
      nodes.map((node) => node.connect({ query: { uid: 'flooder' } })),
    );
    for (const client of floods) await client.request('join', { room: 'flood' });

    const replies = await Promise.all(
      floods.flatMap((client) =>
        Array.from({ length: 30 }, (_, i) =>
          client.request('message', { room: 'flood', text: `m${i}` }),
        ),
      ),
    );

    const limited = replies.filter(
      (reply) => reply.event === 'error' && reply.data.code === 'rate_limited',
    );
    expect(limited.length).toBeGreaterThan(0);
    expect(replies.filter((reply) => reply.event === 'ack').length).toBeLessThanOrEqual(
      2 * USER_RATE,
    );
  });
});
