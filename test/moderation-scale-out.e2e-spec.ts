import { ChatPublisher, CloseCode } from '../src/index.js';
import { DATABASE_KINDS, databasePerSuite } from './utils/database.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, startNodes, type TestApp, type TestEnv } from './utils/test-app.js';
import { asTokenUser } from './utils/users.js';

const SECRET = 'moderation-scale-out-secret-0123';
const MODERATOR = { roles: ['moderator'] };

async function connect(node: TestApp, uid: string, claims: Record<string, unknown> = {}) {
  return node.connect(await asTokenUser(uid, SECRET, claims));
}

describe('moderation on two nodes sharing Redis', () => {
  const prefix = uniquePrefix('moderation');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await startNodes(2, { REDIS_URL, REDIS_KEY_PREFIX: prefix, JWT_SECRET: SECRET });
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it("a ban on node A takes the user's socket on node B out of the room and refuses their rejoin on B", async () => {
    const mod = await connect(nodes[0], 'mod', MODERATOR);
    const ada = await connect(nodes[1], 'ada');
    await ada.request('join', { room: 'ops' });

    await mod.request('ban', { userId: 'ada', room: 'ops', reason: 'spam' });

    expect((await ada.next('left')).data).toEqual({ room: 'ops' });
    const rejoin = await ada.request('join', { room: 'ops' });
    expect(rejoin.data).toMatchObject({ code: 'forbidden', details: { reason: 'spam' } });
  });

  it('a mute set on node A refuses the messages of a user on node B, with until', async () => {
    const mod = await connect(nodes[0], 'mod', MODERATOR);
    const ada = await connect(nodes[1], 'ada');
    await ada.request('join', { room: 'ops' });

    const muted = await mod.request('mute', { userId: 'ada', room: 'ops', durationMs: 60_000 });
    await ada.next('moderated');

    const refused = await ada.request('message', { room: 'ops', text: 'hi' });
    expect(refused.data).toMatchObject({ code: 'forbidden', details: { until: muted.data.until } });
  });

  it("slow mode counts a user's messages across nodes", async () => {
    await nodes[0].app.get(ChatPublisher).setSlowMode('ops', 30);
    const onA = await connect(nodes[0], 'ada');
    const onB = await connect(nodes[1], 'ada');
    await onA.request('join', { room: 'ops' });
    await onB.request('join', { room: 'ops' });

    expect((await onA.request('message', { room: 'ops', text: 'one' })).event).toBe('ack');
    const second = await onB.request('message', { room: 'ops', text: 'two' });

    expect(second.data.code).toBe('rate_limited');
    expect(second.data.details.retryAfterMs).toBeGreaterThan(0);
  });

  it('slow mode answers a resend on the other node (same clientMsgId) with the first ack', async () => {
    await nodes[0].app.get(ChatPublisher).setSlowMode('ops', 30);
    const onA = await connect(nodes[0], 'ada');
    const onB = await connect(nodes[1], 'ada');
    await onA.request('join', { room: 'ops' });
    await onB.request('join', { room: 'ops' });

    const first = await onA.request('message', { room: 'ops', text: 'one', clientMsgId: 'c-1' });
    const resent = await onB.request('message', { room: 'ops', text: 'one', clientMsgId: 'c-1' });
    const next = await onB.request('message', { room: 'ops', text: 'two', clientMsgId: 'c-2' });

    expect(first.event).toBe('ack');
    expect(resent).toMatchObject({ event: 'ack', data: { id: first.data.id, ts: first.data.ts } });
    expect(next.data.code).toBe('rate_limited');
  });

  it("a service ban through node A's ChatPublisher closes the user's sockets on both nodes and refuses their upgrade on B", async () => {
    const onA = await connect(nodes[0], 'ada');
    const onB = await connect(nodes[1], 'ada');

    await nodes[0].app.get(ChatPublisher).ban('ada', { reason: 'fraud' });

    for (const socket of [onA, onB])
      expect((await socket.waitClosed()).code).toBe(CloseCode.ServerDisconnect);
    await expect(connect(nodes[1], 'ada')).rejects.toMatchObject({ status: 403 });
  });

  it('a node started after a ban knows it', async () => {
    await nodes[0].app.get(ChatPublisher).ban('ada', { room: 'ops', durationMs: 60_000 });
    const late = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix, JWT_SECRET: SECRET });
    nodes.push(late);

    const ada = await connect(late, 'ada');

    expect((await ada.request('join', { room: 'ops' })).data.code).toBe('forbidden');
  });
});

describe.each(DATABASE_KINDS)('moderation kept in %s', (kind) => {
  const database = databasePerSuite(kind, 'moderation');
  const env = (): TestEnv => ({ DATABASE_URL: database.url, JWT_SECRET: SECRET });
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp(env());
  });

  afterEach(async () => {
    await app.close();
  });

  it('a ban, a mute and a slow mode survive a restart', async () => {
    const publisher = app.app.get(ChatPublisher);
    await publisher.ban('ada', { room: `kept-${kind}`, reason: 'spam' });
    await publisher.ban('eve', { reason: 'fraud' });
    await publisher.mute('bob', `kept-${kind}`, { durationMs: 600_000 });
    await publisher.setSlowMode(`kept-${kind}`, 15);
    await app.close();

    app = await startApp(env());

    const ada = await connect(app, 'ada');
    expect((await ada.request('join', { room: `kept-${kind}` })).data).toMatchObject({
      code: 'forbidden',
      details: { reason: 'spam' },
    });
    await expect(connect(app, 'eve')).rejects.toMatchObject({ status: 403 });
    expect(app.app.get(ChatPublisher).roomModeration(`kept-${kind}`)).toMatchObject({
      slowModeSeconds: 15,
      mutes: [{ userId: 'bob' }],
    });
    await app.app.get(ChatPublisher).unban('eve');
    expect(app.app.get(ChatPublisher).userModeration('eve').serviceBan).toBeUndefined();
  });
});
