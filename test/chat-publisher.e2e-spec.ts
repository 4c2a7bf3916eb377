import { ChatPublisher, CloseCode } from '../src/index.js';
import { DATABASE_KINDS, databasePerSuite } from './utils/database.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, startNodes, type TestApp, type TestEnv } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

const system = { id: 'server:system', name: 'System' };

describe('ChatPublisher on two nodes sharing Redis', () => {
  const prefix = uniquePrefix('publisher');
  let nodes: TestApp[];
  /** The publisher of node A; every client below is on node B unless it says otherwise. */
  let publisher: ChatPublisher;

  beforeEach(async () => {
    nodes = await startNodes(2, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
    publisher = nodes[0].app.get(ChatPublisher);
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it('publishes on node A to a room member on node B, and a replay on node B returns the same message', async () => {
    const [bob] = await connectUsers(nodes[1], 'bob');
    await bob.request('join', { room: 'ops' });

    const first = await publisher.publish('ops', 'released', { idempotencyKey: 'release-1' });
    const replay = await nodes[1].app
      .get(ChatPublisher)
      .publish('ops', 'released', { idempotencyKey: 'release-1' });

    expect((await bob.next('message', 'the message published on node A')).data).toEqual(
      first.message,
    );
    expect(first.message.from).toEqual(system);
    expect(replay).toEqual({ message: first.message, duplicate: true });
    expect(await bob.collect('message', 200)).toEqual([]);
  });

  it("sends a custom event from node A to a room's and a user's sockets on node B", async () => {
    const [alice, bob] = await connectUsers(nodes[1], 'alice', 'bob');
    await alice.request('join', { room: 'ops' });

    await publisher.emitToRoom('ops', 'deploy.status', { stage: 'done' });
    await publisher.emitToUser('bob', 'nudge', { n: 1 });

    expect((await alice.next('deploy.status')).data).toEqual({ stage: 'done' });
    expect((await bob.next('nudge')).data).toEqual({ n: 1 });
  });

  it('takes a user on node B out of a room from node A; a member on node A sees the presence leave', async () => {
    const [carol] = await connectUsers(nodes[0], 'carol');
    const [bob] = await connectUsers(nodes[1], 'bob');
    await carol.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });

    await publisher.leave('bob', 'ops');

    expect(await bob.next('left')).toEqual({ event: 'left', data: { room: 'ops' } });
    const leave = await carol.next(
      (frame) => frame.event === 'presence' && frame.data.action === 'leave',
      "bob's presence leave on node A",
    );
    expect(leave.data.user).toEqual(userOf('bob'));
    expect(await publisher.members('ops')).toEqual({ members: [userOf('carol')], count: 1 });
  });

  it('disconnects the sockets of a user on both nodes with 4003', async () => {
    const onA = await nodes[0].connect(asUser('bob'));
    const onB = await nodes[1].connect(asUser('bob'));

    await publisher.disconnect('bob', 'signed out');

    for (const socket of [onA, onB])
      expect(await socket.waitClosed()).toEqual({
        code: CloseCode.ServerDisconnect,
        reason: 'signed out',
      });
  });
});

describe.each(DATABASE_KINDS)('ChatPublisher on %s', (kind) => {
  const database = databasePerSuite(kind, 'publisher');
  const env = (): TestEnv => ({ DATABASE_URL: database.url });
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp(env());
  });

  afterEach(async () => {
    await app.close();
  });

  it('stores a published message, and returns it again for its key after a restart', async () => {
    const room = `durable-${kind}`;
    const first = await app.app.get(ChatPublisher).publish(room, 'kept', { idempotencyKey: 'k-1' });
    await app.close();
    app = await startApp(env());

    const replay = await app.app
      .get(ChatPublisher)
      .publish(room, 'kept', { idempotencyKey: 'k-1' });

    expect(replay).toEqual({ message: first.message, duplicate: true });
    expect(await app.app.get(ChatPublisher).roomHistory(room)).toEqual([first.message]);
  });

  it("keeps a key of the server apart from a user's clientMsgId, even when it sends as that user", async () => {
    const room = `apart-${kind}`;
    const [alice] = await connectUsers(app, 'alice');
    await alice.request('join', { room });
    const own = await alice.request('message', { room, text: 'mine', clientMsgId: 'same-key' });

    const published = await app.app.get(ChatPublisher).publish(room, 'theirs', {
      from: userOf('alice'),
      impersonate: true,
      idempotencyKey: 'same-key',
    });

    expect(published.duplicate).toBe(false);
    expect(published.message.id).not.toBe(own.data.id);
    const history = await app.app.get(ChatPublisher).roomHistory(room);
    expect(history.map((m) => m.text)).toEqual(['mine', 'theirs']);
  });

  it('reads the DM conversation between two users', async () => {
    const { message } = await app.app.get(ChatPublisher).dm('bob', 'welcome');

    const page = await app.app.get(ChatPublisher).directHistory('bob', system.id);

    expect(page).toEqual([message]);
  });
});
