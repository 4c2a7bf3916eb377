import type { ChatMessage as Message } from '../src/protocol/chat.events.js';
import { ConversationKey } from '../src/engine/database/conversation-key.js';
import { freePort } from './utils/free-port.mjs';
import { waitFor } from './utils/wait-for.mjs';
import { databasePerSuite, DATABASE_KINDS, roomLog } from './utils/database.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import type { Frame } from './utils/test-client.js';
import { sendMany } from './utils/send-many.js';
import { asUser, userOf } from './utils/users.js';

/** Rate limits out of the way, and a memory-engine history bound the database must not apply. */
const ENV: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
  HISTORY_MAX_MESSAGES: '20',
};

const texts = (messages: Message[]): string[] => messages.map((m) => m.text);
const ids = (frames: Frame[]): string[] => frames.map((frame) => frame.data.id as string);
const range = (from: number, to: number, prefix = 'm'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** Whether every id sorts after the one before it (ids of one room increase, as strings too). */
function increasing(list: string[]): boolean {
  return list.every((id, i) => i === 0 || id > list[i - 1]);
}

describe.each(DATABASE_KINDS)('durable history on %s', (kind) => {
  const database = databasePerSuite(kind, 'durable');
  const apps: TestApp[] = [];

  /** Starts an app on this suite's database. */
  async function start(env: TestEnv = {}): Promise<TestApp> {
    const app = await startApp({ ...ENV, DATABASE_URL: database.url, ...env });
    apps.push(app);
    return app;
  }

  /** Closes an app as a restart would (its sockets first). */
  async function stop(app: TestApp): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('shows the messages of before a restart on join, and recovers a since from before it', async () => {
    const before = await start();
    const alice = await before.connect(asUser('alice'));
    await alice.request('join', { room: 'kept' });
    const acks = await sendMany(alice, 'kept', 5);
    await stop(before);

    const after = await start();
    const bob = await after.connect(asUser('bob'));
    const joined = await bob.request('join', { room: 'kept' });
    const carol = await after.connect(asUser('carol'));
    const recovered = await carol.request('join', { room: 'kept', since: acks[1].data.id });

    expect(texts(joined.data.messages)).toEqual(range(0, 5));
    expect(joined.data.messages.map((m: Message) => m.id)).toEqual(ids(acks));
    expect(joined.data.messages[0].from).toEqual(userOf('alice'));
    expect(recovered.data).toMatchObject({ recovered: true });
    expect(texts(recovered.data.messages)).toEqual(['m2', 'm3', 'm4']);
  });

  it('gives ids that keep increasing in a room across a restart', async () => {
    const before = await start();
    const alice = await before.connect(asUser('alice'));
    await alice.request('join', { room: 'order' });
    const first = await sendMany(alice, 'order', 3, 'a');
    await stop(before);

    const after = await start();
    const again = await after.connect(asUser('alice'));
    await again.request('join', { room: 'order' });
    const second = await sendMany(again, 'order', 3, 'b');

    expect(increasing([...ids(first), ...ids(second)])).toBe(true);
  });

  it('pages with history before through more than HISTORY_MAX_MESSAGES, down to the first message', async () => {
    const sut = await start();
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'long' });
    const acks = await sendMany(alice, 'long', 45);

    const pages: Message[][] = [];
    let page = (await alice.request('history', { room: 'long', limit: 10 })).data
      .messages as Message[];
    while (page.length > 0) {
      pages.unshift(page);
      expect(increasing(page.map((m) => m.id))).toBe(true);
      page = (await alice.request('history', { room: 'long', limit: 10, before: page[0].id })).data
        .messages;
    }

    const all = pages.flat();
    expect(pages).toHaveLength(5);
    expect(texts(all)).toEqual(range(0, 45));
    expect(all.map((m) => m.id)).toEqual(ids(acks));
  });

  it('answers a resend after a restart with the first ack, and keeps and delivers the message once', async () => {
    const before = await start();
    const alice = await before.connect(asUser('alice'));
    await alice.request('join', { room: 'idem' });
    const first = await alice.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });
    await stop(before);

    const after = await start();
    const bob = await after.connect(asUser('bob'));
    await bob.request('join', { room: 'idem' });
    const aliceAgain = await after.connect(asUser('alice'));
    await aliceAgain.request('join', { room: 'idem' });
    const again = await aliceAgain.request('message', {
      room: 'idem',
      text: 'once',
      clientMsgId: 'c-1',
    });
    const next = await aliceAgain.request('message', { room: 'idem', text: 'new' });

    expect(again.event).toBe('ack');
    expect(again.data).toEqual({ ...first.data, ref: again.data.ref });
    expect(texts((await bob.collect('message', 200)).map((f) => f.data as Message))).toEqual([
      'new',
    ]);
    const history = await bob.request('history', { room: 'idem' });
    expect(texts(history.data.messages)).toEqual(['once', 'new']);
    expect(increasing([first.data.id, next.data.id])).toBe(true);
  });

  it('keeps direct messages in the conversation of the pair, and delivers them as before', async () => {
    const sut = await start();
    const alice = await sut.connect(asUser('alice'));
    const bob = await sut.connect(asUser('bob'));

    const toBob = await alice.request('dm', { to: 'bob', text: 'psst' });
    const toAlice = await bob.request('dm', { to: 'alice', text: 'yes?' });

    expect(toBob.data).toEqual({
      ref: toBob.data.ref,
      id: expect.any(String),
      ts: expect.any(Number),
    });
    expect((await bob.next('dm')).data).toEqual({
      id: toBob.data.id,
      from: userOf('alice'),
      to: 'bob',
      text: 'psst',
      ts: toBob.data.ts,
    });
    expect((await alice.next('dm')).data).toMatchObject({ id: toAlice.data.id, to: 'alice' });
    const key = ConversationKey.direct('alice', 'bob');
    const conversation = await database
      .db()
      .selectFrom('conversations')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({
      kind: 'dm',
      member_a: 'alice',
      member_b: 'bob',
      last_seq: 2,
      message_count: 2,
    });
    const rows = await database
      .db()
      .selectFrom('messages')
      .select(['seq', 'sender_id', 'text'])
      .where('conversation', '=', key)
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      { seq: 1, sender_id: 'alice', text: 'psst' },
      { seq: 2, sender_id: 'bob', text: 'yes?' },
    ]);
    expect(increasing([toBob.data.id, toAlice.data.id])).toBe(true);
  });

  it('acks and stores in order a burst of sends from many clients at once', async () => {
    const sut = await start();
    const listener = await sut.connect(asUser('listener'));
    await listener.request('join', { room: 'burst' });
    const senders = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sut.connect(asUser(`sender-${i}`))),
    );
    for (const sender of senders) await sender.request('join', { room: 'burst' });

    for (const [i, sender] of senders.entries())
      for (let n = 0; n < 3; n += 1)
        sender.send('message', { room: 'burst', text: `s${i}-${n}`, ref: `s${i}-${n}` });
    const acks: Frame[] = [];
    for (const [i, sender] of senders.entries())
      for (let n = 0; n < 3; n += 1)
        acks.push(await sender.next((f) => f.data.ref === `s${i}-${n}`, `the ack of s${i}-${n}`));

    expect(acks.filter((ack) => ack.event !== 'ack')).toEqual([]);
    const rows = await roomLog(database, 'burst');
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const storedOrder = rows.map((row) => row.text);
    const ackedOrder = [...acks].sort((a, b) => (a.data.id < b.data.id ? -1 : 1));
    expect(ackedOrder.map((ack) => ack.data.ref)).toEqual(storedOrder);
    await waitFor(
      () => listener.inbox.filter((frame) => frame.event === 'message').length >= 60,
      'the listener to receive all 60 messages',
    );
    const delivered = await listener.collect('message', 0);
    expect(delivered.map((frame) => frame.data.text)).toEqual(storedOrder);
  });
});

describe.each(DATABASE_KINDS)('the per-user rate on %s', (kind) => {
  const database = databasePerSuite(kind, 'rate');
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  it('refuses sends past USER_RATE_LIMIT_PER_SECOND with rate_limited and stores only the acked ones', async () => {
    sut = await startApp({
      DATABASE_URL: database.url,
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '1000',
      USER_RATE_LIMIT_PER_SECOND: '10',
    });
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'flood' });

    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        alice.request('message', { room: 'flood', text: `${i}` }),
      ),
    );

    const acked = replies.filter((reply) => reply.event === 'ack');
    expect(replies.filter((reply) => reply.data.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(acked.length).toBeLessThanOrEqual(20);
    const stored = await roomLog(database, 'flood');
    expect(stored).toHaveLength(acked.length);
  });
});

describe.each(DATABASE_KINDS)('readiness on %s', (kind) => {
  const database = databasePerSuite(kind, 'ready');
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  it('answers /health/ready with 200 once the database is migrated and answers', async () => {
    sut = await startApp({ DATABASE_URL: database.url });

    const response = await fetch(`${sut.httpUrl}/health/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ info: { store: { status: 'up' } } });
  });
});

describe('a PostgreSQL that cannot be reached', () => {
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  it('starts all the same, answers /health/ready with 503 and sends with unavailable', async () => {
    const closed = await freePort();
    // Its outage line (error level) is checked by database-outage-logs.e2e-spec.ts, not printed here.
    sut = await startApp({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/none`,
      LOG_LEVEL: 'fatal',
    });
    const alice = await sut.connect(asUser('alice'));

    const response = await fetch(`${sut.httpUrl}/health/ready`);
    const send = await alice.request('message', { room: 'lobby', text: 'lost', clientMsgId: 'x' });

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { store: { status: 'down' } } });
    expect(send).toMatchObject({ event: 'error', data: { code: 'unavailable' } });
  });
});
