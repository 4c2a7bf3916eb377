import { databasePerSuite } from './utils/database.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startNodes, type TestApp } from './utils/test-app.js';
import { asUser, userOf } from './utils/users.js';

describe('read state on two nodes (PostgreSQL and Redis)', () => {
  const database = databasePerSuite('postgres', 'conversations_scale');
  const prefix = uniquePrefix('conversations-scale-out');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await startNodes(2, {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      READ_RECEIPT_INTERVAL_MS: '0',
    });
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it('syncs a read to the user’s socket on the other node, where pointer and unread count agree, and shows the receipt there', async () => {
    const sender = await nodes[0].connect(asUser('s-sender'));
    const here = await nodes[0].connect(asUser('s-reader'));
    const there = await nodes[1].connect(asUser('s-reader'));
    const watcher = await nodes[1].connect(asUser('s-watcher'));
    for (const client of [sender, here, there, watcher])
      await client.request('join', { room: 's-room' });
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c'])
      ids.push((await sender.request('message', { room: 's-room', text })).data.id);

    const reply = await here.request('read', { room: 's-room', id: ids[1] });
    const synced = await there.next('read', 'the read synced to the other node');
    const receipt = await watcher.next('receipt', 'the receipt on the other node');
    const listedThere = await there.request('conversations');
    const listedHere = await here.request('conversations');

    expect(reply.data).toMatchObject({ room: 's-room', id: ids[1], unread: 1 });
    expect(synced.data).toEqual({ room: 's-room', id: ids[1], unread: 1 });
    expect(receipt.data).toEqual({ room: 's-room', user: userOf('s-reader'), id: ids[1] });
    expect(listedThere.data.items).toEqual(listedHere.data.items);
    expect(listedThere.data.items[0]).toMatchObject({ room: 's-room', unread: 1, readId: ids[1] });
  });

  it('keeps a read pointer monotonic when the older read comes second, on the other node', async () => {
    const sender = await nodes[0].connect(asUser('m-sender'));
    const here = await nodes[0].connect(asUser('m-reader'));
    const there = await nodes[1].connect(asUser('m-reader'));
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c'])
      ids.push((await sender.request('dm', { to: 'm-reader', text })).data.id);

    await here.request('read', { with: 'm-sender', id: ids[2] });
    const older = await there.request('read', { with: 'm-sender', id: ids[0] });

    expect(older.data).toMatchObject({ with: 'm-sender', id: ids[2], unread: 0 });
    expect((await there.request('conversations')).data.items[0]).toMatchObject({
      with: userOf('m-sender'),
      unread: 0,
      readId: ids[2],
    });
  });
});
