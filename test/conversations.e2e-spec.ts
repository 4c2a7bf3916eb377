import { databasePerSuite, DATABASE_KINDS } from './utils/database.js';
import { REDIS_URL, deletePrefix, uniquePrefix } from './utils/redis.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import type { Frame, TestClient } from './utils/test-client.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

/** Rate limits out of the way. */
const ENV: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

/** Sends `texts` to a room one after another and resolves with the acked ids, in order. */
async function say(client: TestClient, room: string, ...texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    const ack = await client.request('message', { room, text });
    expect(ack.event).toBe('ack');
    ids.push(ack.data.id as string);
  }
  return ids;
}

/** Sends `texts` as DMs one after another and resolves with the acked ids, in order. */
async function dm(client: TestClient, to: string, ...texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    const ack = await client.request('dm', { to, text });
    expect(ack.event).toBe('ack');
    ids.push(ack.data.id as string);
  }
  return ids;
}

/** The `conversations` items of a client. */
async function conversationsOf(
  client: TestClient,
  data: Record<string, unknown> = {},
): Promise<Array<Record<string, any>>> {
  const reply = await client.request('conversations', data);
  expect(reply.event).toBe('conversations');
  return reply.data.items;
}

/** The error code and message of a reply. */
const errorOf = (frame: Frame) => ({ event: frame.event, code: frame.data.code });

describe.each(DATABASE_KINDS)('conversations and read state on %s', (kind) => {
  const database = databasePerSuite(kind, 'conversations');
  const apps: TestApp[] = [];

  async function start(env: TestEnv = {}): Promise<TestApp> {
    const app = await startApp({ ...ENV, DATABASE_URL: database.url, ...env });
    apps.push(app);
    return app;
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe('history with `with`', () => {
    it('pages back through a DM conversation to its first message, for either user, without a join', async () => {
      const sut = await start();
      const [alice, bob] = await connectUsers(sut, 'h-alice', 'h-bob');
      const ids = await dm(alice, 'h-bob', 'd0', 'd1', 'd2', 'd3', 'd4');

      const latest = await bob.request('history', { with: 'h-alice', limit: 2 });
      const older = await bob.request('history', { with: 'h-alice', before: ids[3], limit: 2 });
      const first = await bob.request('history', { with: 'h-alice', before: ids[1], limit: 2 });
      const none = await bob.request('history', { with: 'h-alice', before: ids[0] });
      const fromAlice = await alice.request('history', { with: 'h-bob' });

      expect(latest.data).toEqual({
        with: 'h-alice',
        ref: latest.data.ref,
        messages: [
          { id: ids[3], from: userOf('h-alice'), to: 'h-bob', text: 'd3', ts: expect.any(Number) },
          { id: ids[4], from: userOf('h-alice'), to: 'h-bob', text: 'd4', ts: expect.any(Number) },
        ],
      });
      expect(older.data.messages.map((m: { text: string }) => m.text)).toEqual(['d1', 'd2']);
      expect(first.data.messages.map((m: { text: string }) => m.text)).toEqual(['d0']);
      expect(none.data.messages).toEqual([]);
      expect(fromAlice.data.with).toBe('h-bob');
      expect(fromAlice.data.messages.map((m: { id: string }) => m.id)).toEqual(ids);
    });

    it('answers an empty page for a user never written to', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('h-lonely'));

      const reply = await alice.request('history', { with: 'nobody' });

      expect(reply.data).toEqual({ with: 'nobody', messages: [], ref: reply.data.ref });
    });

    it('refuses both room and with, and neither, with validation_failed', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('h-both'));
      await alice.request('join', { room: 'h-room' });

      const both = await alice.request('history', { room: 'h-room', with: 'x' });
      const neither = await alice.request('history', {});
      const bad = await alice.request('history', { with: '' });

      expect(errorOf(both)).toEqual({ event: 'error', code: 'validation_failed' });
      expect(errorOf(neither)).toEqual({ event: 'error', code: 'validation_failed' });
      expect(errorOf(bad)).toEqual({ event: 'error', code: 'validation_failed' });
      expect(alice.isOpen).toBe(true);
    });

    it('still needs a room joined for its history', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('h-outsider'));

      expect(errorOf(await alice.request('history', { room: 'h-elsewhere' }))).toEqual({
        event: 'error',
        code: 'not_in_room',
      });
    });
  });

  describe('DM offline delivery', () => {
    it('shows DMs sent while the recipient was offline in conversations, with their unread count, on any device, and in history', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('o-alice'));
      const ids = await dm(alice, 'o-bob', 'while you were out', 'call me');

      const [phone, laptop] = await connectUsers(sut, 'o-bob', 'o-bob');
      const onPhone = await conversationsOf(phone);
      const onLaptop = await conversationsOf(laptop);
      const history = await phone.request('history', { with: 'o-alice' });

      const expected = {
        with: userOf('o-alice'),
        last: {
          id: ids[1],
          from: userOf('o-alice'),
          to: 'o-bob',
          text: 'call me',
          ts: expect.any(Number),
        },
        unread: 2,
        activeAt: expect.any(Number),
      };
      expect(onPhone).toEqual([expected]);
      expect(onLaptop).toEqual([expected]);
      expect(history.data.messages.map((m: { text: string }) => m.text)).toEqual([
        'while you were out',
        'call me',
      ]);
      expect(await conversationsOf(alice)).toEqual([
        { ...expected, with: { id: 'o-bob', name: 'o-bob' }, unread: 0, readId: ids[1] },
      ]);
    });

    it('keeps what a DM reader read across a reconnect', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('r-alice'));
      const ids = await dm(alice, 'r-bob', 'one', 'two', 'three');
      const bob = await sut.connect(asUser('r-bob'));
      const read = await bob.request('read', { with: 'r-alice', id: ids[1] });
      await bob.close();

      const again = await sut.connect(asUser('r-bob'));
      const [item] = await conversationsOf(again);

      expect(read.data).toEqual({ with: 'r-alice', id: ids[1], unread: 1, ref: read.data.ref });
      expect(item).toMatchObject({ with: userOf('r-alice'), unread: 1, readId: ids[1] });
    });
  });

  describe('conversations', () => {
    it('lists the rooms joined and the DMs, most recent activity first, with unread counts from the first join on', async () => {
      const sut = await start();
      const [alice, bob] = await connectUsers(sut, 'c-alice', 'c-bob');
      await alice.request('join', { room: 'c-old' });
      await say(alice, 'c-old', 'before bob joined');
      await bob.request('join', { room: 'c-old' });
      await bob.request('join', { room: 'c-quiet' });
      const [dmId] = await dm(alice, 'c-bob', 'psst');
      const roomIds = await say(alice, 'c-old', 'after bob joined', 'and again');
      await bob.request('leave', { room: 'c-old' });

      const items = await conversationsOf(bob);

      expect(items).toEqual([
        {
          room: 'c-old',
          last: {
            id: roomIds[1],
            room: 'c-old',
            from: userOf('c-alice'),
            text: 'and again',
            ts: expect.any(Number),
          },
          unread: 2,
          readId: expect.any(String),
          activeAt: expect.any(Number),
        },
        {
          with: userOf('c-alice'),
          last: expect.objectContaining({ id: dmId, text: 'psst' }),
          unread: 1,
          activeAt: expect.any(Number),
        },
        { room: 'c-quiet', unread: 0, activeAt: expect.any(Number) },
      ]);
      expect(items[0].activeAt).toBeGreaterThanOrEqual(items[1].activeAt);
      expect(items[1].activeAt).toBeGreaterThanOrEqual(items[2].activeAt);
    });

    it('counts none of the user’s own messages as unread', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('c-self'));
      await alice.request('join', { room: 'c-mine' });
      await say(alice, 'c-mine', 'a', 'b');
      await dm(alice, 'c-other', 'hi');

      const items = await conversationsOf(alice);

      expect(items.map((item) => item.unread)).toEqual([0, 0]);
    });

    it('counts edits and deletions as no unread message, and lists the last message as it now is', async () => {
      const sut = await start();
      const [alice, bob] = await connectUsers(sut, 'c-edit-a', 'c-edit-b');
      const [first, second] = await dm(alice, userOf('c-edit-b').id, 'one', 'two');
      expect(
        (await alice.request('edit', { with: userOf('c-edit-b').id, id: second, text: 'two!' }))
          .event,
      ).toBe('ack');
      expect(
        (await alice.request('delete', { with: userOf('c-edit-b').id, id: first })).event,
      ).toBe('ack');

      const [item] = await conversationsOf(bob);

      expect(item.unread).toBe(2);
      expect(item.last).toMatchObject({ id: second, text: 'two!', editedAt: expect.any(Number) });
      const read = await bob.request('read', { with: userOf('c-edit-a').id, id: second });
      expect(read.data.unread).toBe(0);
    });

    it('answers at most `limit` items, the most recent', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('c-many'));
      for (const room of ['c-r1', 'c-r2', 'c-r3']) {
        await alice.request('join', { room });
        await say(alice, room, room);
      }

      const items = await conversationsOf(alice, { limit: 2 });

      expect(items.map((item) => item.room)).toEqual(['c-r3', 'c-r2']);
    });

    it('answers an empty list to a user with no conversation', async () => {
      const sut = await start({ DEFAULT_ROOM: 'lobby' });
      const alice = await sut.connect(asUser('c-new'));

      expect(await conversationsOf(alice)).toEqual([]);
    });

    it('refuses a limit out of 1-200 with validation_failed', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('c-limits'));

      for (const limit of [0, 201, 'ten', 1.5])
        expect(errorOf(await alice.request('conversations', { limit }))).toEqual({
          event: 'error',
          code: 'validation_failed',
        });
    });
  });

  describe('read', () => {
    it('moves the pointer forward only, answering where it is, and syncs a move to the user’s other sockets', async () => {
      const sut = await start();
      const [alice, phone, laptop] = await connectUsers(sut, 'p-alice', 'p-bob', 'p-bob');
      for (const client of [alice, phone]) await client.request('join', { room: 'p-room' });
      const ids = await say(alice, 'p-room', 'm0', 'm1', 'm2', 'm3');

      const forward = await phone.request('read', { room: 'p-room', id: ids[2] });
      const synced = await laptop.next('read', 'the read synced to the laptop');
      const backward = await laptop.request('read', { room: 'p-room', id: ids[0] });
      const again = await laptop.request('read', { room: 'p-room', id: ids[2] });
      const last = await laptop.request('read', { room: 'p-room', id: ids[3] });
      const syncedBack = await phone.next('read', 'the read synced to the phone');

      expect(forward.data).toEqual({
        room: 'p-room',
        id: ids[2],
        unread: 1,
        ref: forward.data.ref,
      });
      expect(synced.data).toEqual({ room: 'p-room', id: ids[2], unread: 1 });
      expect(backward.data).toMatchObject({ id: ids[2], unread: 1 });
      expect(again.data).toMatchObject({ id: ids[2], unread: 1 });
      expect(last.data).toMatchObject({ id: ids[3], unread: 0 });
      expect(syncedBack.data).toEqual({ room: 'p-room', id: ids[3], unread: 0 });
      // Neither a read that moved nothing nor the reader's own socket got a sync.
      expect(await phone.collect('read', 100)).toEqual([]);
      expect(await laptop.collect('read', 0)).toEqual([]);
      const [item] = await conversationsOf(laptop);
      expect(item).toMatchObject({ room: 'p-room', unread: 0, readId: ids[3] });
    });

    it('answers not_found for an id of another conversation or no id at all', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('n-alice'));
      await alice.request('join', { room: 'n-one' });
      await alice.request('join', { room: 'n-two' });
      const [inOne] = await say(alice, 'n-one', 'here');
      const [inDm] = await dm(alice, 'n-bob', 'dm');

      for (const data of [
        { room: 'n-two', id: inOne },
        { room: 'n-one', id: 'nonsense' },
        { room: 'n-one', id: `${inOne.split('-')[0]}-000000000099` },
        { room: 'n-one', id: inDm },
        { with: 'n-carol', id: inDm },
      ]) {
        const reply = await alice.request('read', data);
        expect(reply.data).toMatchObject({ code: 'not_found' });
        expect(reply.data.message).toMatch(/no message/);
      }
      expect(alice.isOpen).toBe(true);
    });

    it('answers not_in_room for a room never joined, and validation_failed for a bad frame', async () => {
      const sut = await start();
      const [alice, bob] = await connectUsers(sut, 'v-alice', 'v-bob');
      await alice.request('join', { room: 'v-room' });
      const [id] = await say(alice, 'v-room', 'hello');

      const stranger = await bob.request('read', { room: 'v-room', id });
      const both = await alice.request('read', { room: 'v-room', with: 'v-bob', id });
      const neither = await alice.request('read', { id });
      const noId = await alice.request('read', { room: 'v-room' });
      const badPrivate = await alice.request('read', { room: 'v-room', id, private: 'yes' });

      expect(errorOf(stranger)).toEqual({ event: 'error', code: 'not_in_room' });
      for (const reply of [both, neither, noId, badPrivate])
        expect(errorOf(reply)).toEqual({ event: 'error', code: 'validation_failed' });
    });

    it('lets a user who left a room still read it', async () => {
      const sut = await start();
      const alice = await sut.connect(asUser('l-alice'));
      await alice.request('join', { room: 'l-room' });
      const [id] = await say(alice, 'l-room', 'bye');
      await alice.request('leave', { room: 'l-room' });

      expect((await alice.request('read', { room: 'l-room', id })).event).toBe('read');
    });
  });

  describe('receipts', () => {
    it('shows the other members a read, not the reader’s own sockets, and the DM peer a DM read', async () => {
      const sut = await start({ READ_RECEIPT_INTERVAL_MS: '0' });
      const [alice, bob, bobToo] = await connectUsers(sut, 'e-alice', 'e-bob', 'e-bob');
      for (const client of [alice, bob, bobToo]) await client.request('join', { room: 'e-room' });
      const [id] = await say(alice, 'e-room', 'seen?');
      const [dmId] = await dm(alice, 'e-bob', 'seen this?');

      await bob.request('read', { room: 'e-room', id });
      const receipt = await alice.next('receipt', 'the room receipt');
      await bob.request('read', { with: 'e-alice', id: dmId });
      const dmReceipt = await alice.next('receipt', 'the DM receipt');

      expect(receipt.data).toEqual({ room: 'e-room', user: userOf('e-bob'), id });
      expect(dmReceipt.data).toEqual({ with: 'e-bob', user: userOf('e-bob'), id: dmId });
      expect(await bobToo.collect('receipt', 100)).toEqual([]);
      expect(await bob.collect('receipt', 0)).toEqual([]);
    });

    it('sends the first read at once and only the last of the reads within the interval after it', async () => {
      const sut = await start({ READ_RECEIPT_INTERVAL_MS: '3000' });
      const [alice, bob] = await connectUsers(sut, 't-alice', 't-bob');
      for (const client of [alice, bob]) await client.request('join', { room: 't-room' });
      const ids = await say(alice, 't-room', 'a', 'b', 'c', 'd');

      for (const id of ids.slice(0, 3)) await bob.request('read', { room: 't-room', id });
      const first = await alice.next('receipt', 'the first receipt');
      // Within the client's 5 s wait: the window closes 3 s after the first receipt.
      const trailing = await alice.next('receipt', 'the trailing receipt');

      expect(first.data.id).toBe(ids[0]);
      expect(trailing.data.id).toBe(ids[2]);
      expect(alice.inbox.filter((frame) => frame.event === 'receipt')).toEqual([]);
    });

    it('sends no receipt for a private read', async () => {
      const sut = await start({ READ_RECEIPT_INTERVAL_MS: '0' });
      const [alice, bob] = await connectUsers(sut, 'x-alice', 'x-bob');
      for (const client of [alice, bob]) await client.request('join', { room: 'x-room' });
      const ids = await say(alice, 'x-room', 'a', 'b');

      const quiet = await bob.request('read', { room: 'x-room', id: ids[0], private: true });
      await bob.request('read', { room: 'x-room', id: ids[1] });
      const receipt = await alice.next('receipt', 'the receipt of the public read');

      expect(quiet.data).toMatchObject({ id: ids[0], unread: 1 });
      expect(receipt.data.id).toBe(ids[1]);
    });

    it('sends no receipt in a room over PRESENCE_MAX_MEMBERS', async () => {
      const sut = await start({ READ_RECEIPT_INTERVAL_MS: '0', PRESENCE_MAX_MEMBERS: '1' });
      const [alice, bob] = await connectUsers(sut, 'b-alice', 'b-bob');
      for (const client of [alice, bob]) await client.request('join', { room: 'b-room' });
      const [id] = await say(alice, 'b-room', 'crowded');
      const [dmId] = await dm(alice, 'b-bob', 'direct');

      await bob.request('read', { room: 'b-room', id });
      await bob.request('read', { with: 'b-alice', id: dmId });
      const receipt = await alice.next('receipt', 'the DM receipt, published after the room read');

      expect(receipt.data).toEqual({ with: 'b-bob', user: userOf('b-bob'), id: dmId });
    });
  });
});

describe.each([
  ['memory mode', { DATABASE_URL: 'memory' }],
  ['Redis-only mode', { DATABASE_URL: undefined, REDIS_URL }],
] as Array<[string, TestEnv]>)('without a database (%s)', (_, env) => {
  const prefix = uniquePrefix('conversations-no-db');
  let sut: TestApp;

  beforeEach(async () => {
    sut = await startApp({ ...ENV, REDIS_KEY_PREFIX: prefix, ...env });
  });

  afterEach(async () => {
    await sut.close();
    if (env.REDIS_URL) await deletePrefix(prefix);
  });

  it('answers conversations, read and history with `with` unavailable, and room history as before', async () => {
    const alice = await sut.connect(asUser('u-alice'));
    await alice.request('join', { room: 'u-room' });
    const [id] = await say(alice, 'u-room', 'still here');

    const replies = [
      await alice.request('conversations'),
      await alice.request('read', { room: 'u-room', id }),
      await alice.request('history', { with: 'u-bob' }),
    ];
    const history = await alice.request('history', { room: 'u-room' });

    for (const reply of replies)
      expect(reply.data).toMatchObject({
        code: 'unavailable',
        message: 'needs a database (DATABASE_URL)',
      });
    expect(history.data.messages.map((m: { id: string }) => m.id)).toEqual([id]);
  });
});
