import type { TestClient } from './utils/test-client.js';
import { startApp, testDatabaseKind, type TestApp } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

describe('message (room messages, ack, ref, clientMsgId)', () => {
  let sut: TestApp;

  const joinAll = async (room: string, ...clients: TestClient[]): Promise<void> => {
    for (const client of clients) {
      expect((await client.request('join', { room })).event).toBe('joined');
    }
  };

  beforeEach(async () => {
    sut = await startApp({ RATE_LIMIT_BURST: '1000', USER_RATE_LIMIT_PER_SECOND: '1000' });
  });

  afterEach(async () => {
    await sut.close();
  });

  describe('ack', () => {
    it('acks with exactly the ref, the stored id, the room and a timestamp in epoch milliseconds', async () => {
      const alice = await sut.connect(asUser('alice'));
      const before = Date.now();

      const ack = await alice.request('message', { room: 'lobby', text: 'hi' });

      expect(ack.event).toBe('ack');
      expect(ack.data).toEqual({
        ref: 'r1',
        id: expect.any(String),
        room: 'lobby',
        ts: expect.any(Number),
      });
      expect(ack.data.ts).toBeGreaterThanOrEqual(before);
      expect(ack.data.ts).toBeLessThanOrEqual(Date.now());
    });

    it('echoes a ref of 64 characters exactly as sent', async () => {
      const alice = await sut.connect(asUser('alice'));
      const ref = `${'x'.repeat(60)}-é✓!`;
      expect(ref).toHaveLength(64);

      alice.send('message', { room: 'lobby', text: 'hi', ref });

      const ack = await alice.next('ack');
      expect(ack.data.ref).toBe(ref);
    });

    it('sends an ack without a ref property when the request had none', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.send('message', { room: 'lobby', text: 'hi' });

      const ack = await alice.next('ack');
      expect(ack.data).not.toHaveProperty('ref');
      expect(ack.data.room).toBe('lobby');
    });

    it('answers each of several pipelined requests with its own ref', async () => {
      const alice = await sut.connect(asUser('alice'));

      for (const ref of ['a', 'b', 'c']) alice.send('message', { room: 'lobby', text: ref, ref });

      const acks = [await alice.next('ack'), await alice.next('ack'), await alice.next('ack')];
      expect(acks.map((ack) => ack.data.ref)).toEqual(['a', 'b', 'c']);
      expect(new Set(acks.map((ack) => ack.data.id)).size).toBe(3);
    });
  });

  describe('delivery', () => {
    it('delivers to another member exactly {id, room, from, text, ts}, with the id and ts of the ack', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      const ack = await alice.request('message', { room: 'lobby', text: 'hello bob' });

      const { data } = await bob.next('message');
      expect(data).toEqual({
        id: ack.data.id,
        room: 'lobby',
        from: userOf('alice'),
        text: 'hello bob',
        ts: ack.data.ts,
      });
    });

    it('delivers to the sender’s other device and not back to the sending socket', async () => {
      const phone = await sut.connect(asUser('alice'));
      const laptop = await sut.connect(asUser('alice'));

      const ack = await phone.request('message', { room: 'lobby', text: 'from my phone' });

      const { data } = await laptop.next('message');
      expect(data).toMatchObject({ id: ack.data.id, text: 'from my phone' });
      expect(await phone.collect('message', 150)).toEqual([]);
    });

    it('delivers only to members of the room', async () => {
      const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');
      await joinAll('kitchen', alice, bob);

      await alice.request('message', { room: 'kitchen', text: 'kitchen only' });

      expect((await bob.next('message')).data).toMatchObject({
        room: 'kitchen',
        text: 'kitchen only',
      });
      expect(await carol.collect('message', 150)).toEqual([]);
    });

    it('delivers a sender’s messages to others in the order they were sent, with the acked ids', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);

      for (const text of texts) alice.send('message', { room: 'lobby', text, ref: text });
      const acks = [];
      for (const text of texts) acks.push(await alice.next((f) => f.data.ref === text));
      const received = [];
      for (const _ of texts) received.push((await bob.next('message')).data);

      expect(received.map((m) => m.text)).toEqual(texts);
      expect(received.map((m) => m.id)).toEqual(acks.map((ack) => ack.data.id));
    });

    it('trims the text before storing and delivering it', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      await alice.request('message', { room: 'lobby', text: '  \n\t spaced out \t ' });

      expect((await bob.next('message')).data.text).toBe('spaced out');
    });
  });

  describe('clientMsgId', () => {
    it('answers a resend with the first send’s ack and delivers it once', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      const first = await alice.request('message', {
        room: 'lobby',
        text: 'once',
        clientMsgId: 'c-1',
      });
      const again = await alice.request('message', {
        room: 'lobby',
        text: 'once',
        clientMsgId: 'c-1',
      });

      expect(again.event).toBe('ack');
      expect(again.data).toEqual({ ...first.data, ref: again.data.ref });
      expect((await bob.next('message')).data.id).toBe(first.data.id);
      expect(await bob.collect('message', 200)).toEqual([]);
    });

    it('dedupes two sends of the same clientMsgId pipelined in one burst', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      alice.send('message', { room: 'lobby', text: 'burst', clientMsgId: 'c-1', ref: 'a' });
      alice.send('message', { room: 'lobby', text: 'burst', clientMsgId: 'c-1', ref: 'b' });

      const [a, b] = [
        await alice.next((f) => f.data.ref === 'a'),
        await alice.next((f) => f.data.ref === 'b'),
      ];
      expect(b.data.id).toBe(a.data.id);
      expect((await bob.next('message')).data.id).toBe(a.data.id);
      expect(await bob.collect('message', 200)).toEqual([]);
    });

    it('answers a resend after a reconnect with the first ack and delivers it once', async () => {
      const bob = await sut.connect(asUser('bob'));
      const alice = await sut.connect(asUser('alice'));
      const first = await alice.request('message', {
        room: 'lobby',
        text: 'sent',
        clientMsgId: 'c-7',
      });
      await alice.close();

      const aliceAgain = await sut.connect(asUser('alice'));
      const again = await aliceAgain.request('message', {
        room: 'lobby',
        text: 'sent',
        clientMsgId: 'c-7',
      });

      expect(again.data.id).toBe(first.data.id);
      expect((await bob.next('message')).data.id).toBe(first.data.id);
      expect(await bob.collect('message', 200)).toEqual([]);
    });

    it('stores a send whose socket died before the ack exactly once when it is retried after a reconnect', async () => {
      const bob = await sut.connect(asUser('bob'));
      const alice = await sut.connect(asUser('alice'));
      alice.send('message', { room: 'lobby', text: 'retry me', clientMsgId: 'c-9' });
      alice.socket.terminate();
      await alice.waitClosed();

      const aliceAgain = await sut.connect(asUser('alice'));
      const ack = await aliceAgain.request('message', {
        room: 'lobby',
        text: 'retry me',
        clientMsgId: 'c-9',
      });

      expect((await bob.next('message')).data).toMatchObject({ id: ack.data.id, text: 'retry me' });
      expect(await bob.collect('message', 200)).toEqual([]);
      const history = await bob.request('history', { room: 'lobby' });
      expect(history.data.messages.map((m: { text: string }) => m.text)).toEqual(['retry me']);
    });

    it('dedupes a resend from the same user’s other device', async () => {
      const bob = await sut.connect(asUser('bob'));
      const [phone, laptop] = await connectUsers(sut, 'alice', 'alice');

      const first = await phone.request('message', {
        room: 'lobby',
        text: 'x',
        clientMsgId: 'c-2',
      });
      const again = await laptop.request('message', {
        room: 'lobby',
        text: 'x',
        clientMsgId: 'c-2',
      });

      expect(again.data.id).toBe(first.data.id);
      expect(await bob.collect('message', 200)).toHaveLength(1);
    });

    it('treats the same clientMsgId from two users as two messages', async () => {
      const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');

      const fromAlice = await alice.request('message', {
        room: 'lobby',
        text: 'a',
        clientMsgId: 'same',
      });
      const fromBob = await bob.request('message', {
        room: 'lobby',
        text: 'b',
        clientMsgId: 'same',
      });

      expect(fromBob.data.id).not.toBe(fromAlice.data.id);
      expect((await carol.collect('message', 200)).map((m) => m.data.text)).toEqual(['a', 'b']);
    });

    it(
      testDatabaseKind
        ? 'with a database, still answers a resend after DEDUPE_TTL_MS with the first ack: the key is durable'
        : 'stores a resend as a new message once DEDUPE_TTL_MS has passed',
      async () => {
        await sut.close();
        sut = await startApp({ DEDUPE_TTL_MS: '1000' });
        const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
        const resend = () =>
          alice.request('message', { room: 'lobby', text: 'x', clientMsgId: 'c-3' });
        const first = await resend();

        await new Promise((resolve) => setTimeout(resolve, 1200));
        const later = await resend();

        // The memory engine forgets a key after DEDUPE_TTL_MS; a database keeps it with the message.
        const durable = testDatabaseKind !== undefined;
        expect(later.data.id === first.data.id).toBe(durable);
        expect(await bob.collect('message', 200)).toHaveLength(durable ? 1 : 2);
      },
    );
  });
});
