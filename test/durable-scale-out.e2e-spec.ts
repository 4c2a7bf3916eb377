import type { Delivery } from '../src/engine/broker.js';
import { RedisBroker } from '../src/engine/redis/redis-broker.js';
import { databasePerSuite, roomLog } from './utils/database.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, startNodes, type TestApp } from './utils/test-app.js';
import type { Frame, TestClient } from './utils/test-client.js';
import { asUser, userOf } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const PER_SENDER = 30;
/** Low enough that 2 sockets x 60 sends break it in any split over two one-second windows. */
const USER_RATE = 30;

/**
 * Node 1's broker publishes 20 ms late: the window between a commit and its publish, where another
 * node's later commit could otherwise be published first.
 */
class LatePublishingBroker extends RedisBroker {
  override async publish(batch: readonly Delivery[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await super.publish(batch);
  }
}

/** Whether every id sorts after the one before it. */
function increasing(list: string[]): boolean {
  return list.every((id, i) => i === 0 || id > list[i - 1]);
}

/** Waits until a client has received `count` messages, and takes them. */
async function messagesOf(client: TestClient, count: number, who: string): Promise<Frame[]> {
  await waitFor(
    () => client.inbox.filter((frame) => frame.event === 'message').length >= count,
    `${who} to receive ${count} messages`,
  );
  return client.collect('message', 0);
}

describe('two nodes on PostgreSQL and Redis', () => {
  const database = databasePerSuite('postgres', 'durable_scale');
  const prefix = uniquePrefix('durable-scale-out');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await Promise.all(
      [1, 2].map((node) =>
        startApp(
          {
            DATABASE_URL: database.url,
            REDIS_URL,
            REDIS_KEY_PREFIX: prefix,
            RATE_LIMIT_BURST: '1000',
            RATE_LIMIT_PER_SECOND: '1000',
            USER_RATE_LIMIT_PER_SECOND: '1000',
          },
          (builder) =>
            node === 1
              ? builder.overrideProvider(RedisBroker).useClass(LatePublishingBroker)
              : builder,
        ),
      ),
    );
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it('gives ids that increase within a room whichever node stored the message', async () => {
    const clients = await Promise.all(nodes.map((node, i) => node.connect(asUser(`writer-${i}`))));
    for (const client of clients) await client.request('join', { room: 'order' });

    const ids: string[] = [];
    for (let round = 0; round < 4; round += 1)
      for (const client of clients)
        ids.push((await client.request('message', { room: 'order', text: `${round}` })).data.id);

    expect(increasing(ids)).toBe(true);
    const history = await clients[1].request('history', { room: 'order' });
    expect(history.data.messages.map((m: { id: string }) => m.id)).toEqual(ids);
  });

  it('acks a clientMsgId resent to the other node with the first ack, stored and delivered once', async () => {
    const listener = await nodes[1].connect(asUser('listener'));
    await listener.request('join', { room: 'idem' });
    const first = await nodes[0].connect(asUser('resender'));
    await first.request('join', { room: 'idem' });
    const firstAck = await first.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });
    const again = await nodes[1].connect(asUser('resender'));
    await again.request('join', { room: 'idem' });

    const secondAck = await again.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });

    expect(secondAck.data).toEqual({ ...firstAck.data, ref: secondAck.data.ref });
    expect((await listener.next('message')).data.id).toBe(firstAck.data.id);
    expect(await listener.collect('message', 200)).toEqual([]);
    const stored = await roomLog(database, 'idem');
    expect(stored).toHaveLength(1);
  });

  it("shows both nodes' listeners every message of concurrent senders in the same order, the stored one", async () => {
    const listeners = await Promise.all(
      nodes.map((node, i) => node.connect(asUser(`listener-${i}`))),
    );
    const senders = await Promise.all(
      nodes.flatMap((node, i) => [0, 1].map((j) => node.connect(asUser(`sender-${i}-${j}`)))),
    );
    for (const client of [...listeners, ...senders]) await client.request('join', { room: 'race' });

    for (let n = 0; n < PER_SENDER; n += 1)
      for (const [i, sender] of senders.entries())
        sender.send('message', { room: 'race', text: `${i}-${n}`, ref: `${i}-${n}` });
    const total = PER_SENDER * senders.length;
    const seen = await Promise.all(
      listeners.map((listener, i) => messagesOf(listener, total, `listener ${i}`)),
    );

    const order = seen.map((frames) => frames.map((frame) => frame.data.id as string));
    expect(order[1]).toEqual(order[0]);
    expect(increasing(order[0])).toBe(true);
    const rows = await roomLog(database, 'race');
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(seen[0].map((frame) => frame.data.text)).toEqual(rows.map((row) => row.text));
  });
  it('delivers edited and deleted across nodes (room members, the DM peer, the author’s other socket), and a join on the other node shows the edit', async () => {
    const [author, bob] = await Promise.all([
      nodes[0].connect(asUser('author')),
      nodes[1].connect(asUser('bob')),
    ]);
    const authorElsewhere = await nodes[1].connect(asUser('author'));
    for (const client of [author, bob, authorElsewhere])
      await client.request('join', { room: 'changes' });
    const id = (await author.request('message', { room: 'changes', text: 'draft' })).data.id;
    await bob.next('message');
    const early = await nodes[1].connect(asUser('early'));
    expect((await early.request('join', { room: 'changes' })).data.messages).toMatchObject([
      { id, text: 'draft' },
    ]);

    const edit = await author.request('edit', { room: 'changes', id, text: 'final' });

    const edited = {
      room: 'changes',
      id,
      text: 'final',
      editedAt: edit.data.ts,
      from: userOf('author'),
    };
    expect((await bob.next('edited')).data).toEqual(edited);
    expect((await authorElsewhere.next('edited')).data).toEqual(edited);
    const late = await nodes[1].connect(asUser('late'));
    expect((await late.request('join', { room: 'changes' })).data.messages).toMatchObject([
      { id, text: 'final', editedAt: edit.data.ts },
    ]);

    const dmId = (await author.request('dm', { to: 'bob', text: 'psst' })).data.id;
    await bob.next('dm');
    const deletion = await author.request('delete', { with: 'bob', id: dmId });

    const deleted = { to: 'bob', id: dmId, deletedAt: deletion.data.ts, from: userOf('author') };
    expect((await bob.next('deleted')).data).toEqual(deleted);
    expect((await authorElsewhere.next('deleted')).data).toEqual(deleted);
  });
});

describe('the per-user rate on two nodes with PostgreSQL and Redis', () => {
  const database = databasePerSuite('postgres', 'durable_rate');
  const prefix = uniquePrefix('durable-rate');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await startNodes(2, {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '1000',
      USER_RATE_LIMIT_PER_SECOND: String(USER_RATE),
    });
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it('limits a flood split over both nodes, and stores only what it acked', async () => {
    const floods = await Promise.all(nodes.map((node) => node.connect(asUser('flooder'))));
    for (const client of floods) await client.request('join', { room: 'flood' });

    const replies = await Promise.all(
      floods.flatMap((client) =>
        Array.from({ length: 2 * USER_RATE }, (_, i) =>
          client.request('message', { room: 'flood', text: `m${i}` }),
        ),
      ),
    );

    const acked = replies.filter((reply) => reply.event === 'ack');
    expect(replies.filter((reply) => reply.data.code === 'rate_limited').length).toBeGreaterThan(0);
    // The flood may straddle two seconds: at most the rate in each.
    expect(acked.length).toBeLessThanOrEqual(2 * USER_RATE);
    const stored = await roomLog(database, 'flood');
    expect(stored).toHaveLength(acked.length);
  });
});
