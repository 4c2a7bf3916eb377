import type { ChatMessage as Message } from '../src/protocol/chat.events.js';
import { vi } from 'vitest';
import { MessageStore } from '../src/engine/message-store.js';
import type { TestClient } from './utils/test-client.js';
import { startApp, testDatabaseKind, type TestApp, type TestEnv } from './utils/test-app.js';
import { sendMany } from './utils/send-many.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

/** Rate limits out of the way: these tests send hundreds of messages at once. */
const UNLIMITED: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

const texts = (messages: Message[]): string[] => messages.map((m) => m.text);
const range = (from: number, to: number, prefix = 'm'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** Makes the store's next `latest` read hang until released, the way a slow store would. */
function stallNextLatest(
  sut: TestApp,
  readFirst: boolean,
): { reading: Promise<void>; release: () => void } {
  const store = sut.app.get(MessageStore);
  const latest = store.latest.bind(store);
  let release: () => void = () => undefined;
  let entered: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reading = new Promise<void>((resolve) => (entered = resolve));
  vi.spyOn(store, 'latest').mockImplementationOnce(async (room, limit) => {
    entered();
    if (!readFirst) await gate;
    const messages = await latest(room, limit);
    if (readFirst) await gate;
    return messages;
  });
  return { reading, release };
}

describe('history and recovery', () => {
  let sut: TestApp;

  afterEach(async () => {
    vi.restoreAllMocks();
    await sut.close();
  });

  describe('with room history kept', () => {
    let alice: TestClient;
    let bob: TestClient;

    beforeEach(async () => {
      sut = await startApp(UNLIMITED);
      [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
    });

    describe('joined.messages', () => {
      it('shows the latest 50 messages, oldest first, with recovered false, when joining without since', async () => {
        await sendMany(alice, 'kitchen', 60);

        const joined = await bob.request('join', { room: 'kitchen' });

        expect(texts(joined.data.messages)).toEqual(range(10, 60));
        expect(joined.data.recovered).toBe(false);
      });

      it('shows each message exactly as the message frame delivered it', async () => {
        const carol = await sut.connect(asUser('carol'));
        await carol.request('join', { room: 'kitchen' });
        await alice.request('message', { room: 'kitchen', text: 'hello' });
        const live = await carol.next('message');

        const joined = await bob.request('join', { room: 'kitchen' });

        expect(joined.data.messages).toEqual([live.data]);
      });

      it('shows every message after since, with recovered true', async () => {
        const acks = await sendMany(alice, 'kitchen', 5);

        const joined = await bob.request('join', { room: 'kitchen', since: acks[1].data.id });

        expect(texts(joined.data.messages)).toEqual(['m2', 'm3', 'm4']);
        expect(joined.data.messages.map((m: Message) => m.id)).toEqual(
          acks.slice(2).map((ack) => ack.data.id),
        );
        expect(joined.data.recovered).toBe(true);
      });

      it('shows every message after since even when more than 50 were missed', async () => {
        const acks = await sendMany(alice, 'kitchen', 80);

        const joined = await bob.request('join', { room: 'kitchen', since: acks[4].data.id });

        expect(texts(joined.data.messages)).toEqual(range(5, 80));
        expect(joined.data.recovered).toBe(true);
      });

      it('shows no messages, with recovered true, when since is the latest message', async () => {
        const acks = await sendMany(alice, 'kitchen', 3);

        const joined = await bob.request('join', { room: 'kitchen', since: acks[2].data.id });

        expect(joined.data.messages).toEqual([]);
        expect(joined.data.recovered).toBe(true);
      });

      it('shows the latest messages with recovered false when since is not an id the server issued', async () => {
        await sendMany(alice, 'kitchen', 3);

        const joined = await bob.request('join', { room: 'kitchen', since: 'no-such-id' });

        expect(texts(joined.data.messages)).toEqual(['m0', 'm1', 'm2']);
        expect(joined.data.recovered).toBe(false);
      });

      it('shows the latest messages with recovered false when since comes from another server', async () => {
        const other = await startApp();
        try {
          const stranger = await other.connect({ timeoutMs: 5000 });
          const foreign = await stranger.request('message', { room: 'lobby', text: 'elsewhere' });
          await sendMany(alice, 'kitchen', 3);

          const joined = await bob.request('join', { room: 'kitchen', since: foreign.data.id });

          expect(texts(joined.data.messages)).toEqual(['m0', 'm1', 'm2']);
          expect(joined.data.recovered).toBe(false);
        } finally {
          await other.close();
        }
      });

      it('resumes after a reconnect: the messages missed while away, then live ones, each once', async () => {
        const seen = await sendMany(alice, 'kitchen', 2, 'before');
        await bob.request('join', { room: 'kitchen' });
        await bob.close();
        await sendMany(alice, 'kitchen', 3, 'away');

        const bobAgain = await sut.connect(asUser('bob'));
        const joined = await bobAgain.request('join', { room: 'kitchen', since: seen[1].data.id });
        await alice.request('message', { room: 'kitchen', text: 'live' });

        expect(texts(joined.data.messages)).toEqual(['away0', 'away1', 'away2']);
        expect((await bobAgain.next('message')).data.text).toBe('live');
        expect(await bobAgain.collect('message', 150)).toEqual([]);
      });

      it('shows every message exactly once, in order, across joined and live frames when joining during a burst', async () => {
        const burst = sendMany(alice, 'kitchen', 300);

        const joined = await bob.request('join', { room: 'kitchen' });
        await burst;
        const shown: Message[] = joined.data.messages;
        const live: Message[] = [];
        if (shown.at(-1)?.text !== 'm299') {
          const last = await bob.next((f) => f.event === 'message' && f.data.text === 'm299');
          live.push(...(await bob.collect('message', 0)).map((f) => f.data as Message));
          live.push(last.data as Message);
        }

        const all = texts([...shown, ...live]);
        const first = Number(all[0]?.slice(1) ?? 0);
        expect(all).toEqual(range(first, 300));
      });
    });

    describe('history', () => {
      it('replies with exactly {room, messages, ref}', async () => {
        await sendMany(alice, 'kitchen', 1);

        const reply = await alice.request('history', { room: 'kitchen' });

        expect(reply).toEqual({
          event: 'history',
          data: { room: 'kitchen', messages: [expect.any(Object)], ref: reply.data.ref },
        });
        expect(reply.data.messages[0]).toEqual({
          id: expect.any(String),
          room: 'kitchen',
          from: userOf('alice'),
          text: 'm0',
          ts: expect.any(Number),
        });
      });

      it('returns the latest 50 messages, oldest first, without before and limit', async () => {
        await sendMany(alice, 'kitchen', 60);

        const reply = await alice.request('history', { room: 'kitchen' });

        expect(texts(reply.data.messages)).toEqual(range(10, 60));
      });

      it('returns only the latest message with limit 1', async () => {
        await sendMany(alice, 'kitchen', 5);

        const reply = await alice.request('history', { room: 'kitchen', limit: 1 });

        expect(texts(reply.data.messages)).toEqual(['m4']);
      });

      it('returns up to 100 messages with limit 100', async () => {
        await sendMany(alice, 'kitchen', 120);

        const reply = await alice.request('history', { room: 'kitchen', limit: 100 });

        expect(texts(reply.data.messages)).toEqual(range(20, 120));
      });

      it('returns the messages older than before, oldest first', async () => {
        const acks = await sendMany(alice, 'kitchen', 10);

        const reply = await alice.request('history', {
          room: 'kitchen',
          before: acks[6].data.id,
          limit: 3,
        });

        expect(texts(reply.data.messages)).toEqual(['m3', 'm4', 'm5']);
      });

      it('pages back through the whole room with before, without gaps or repeats', async () => {
        await sendMany(alice, 'kitchen', 25);
        const pages: Message[][] = [];
        let before: string | undefined;

        for (;;) {
          const reply = await alice.request('history', { room: 'kitchen', before, limit: 10 });
          const messages: Message[] = reply.data.messages;
          if (messages.length === 0) break;
          pages.unshift(messages);
          before = messages[0].id;
        }

        expect(pages.map((page) => page.length)).toEqual([5, 10, 10]);
        expect(texts(pages.flat())).toEqual(range(0, 25));
      });

      it('returns an empty list for a room with no messages', async () => {
        const reply = await alice.request('history', { room: 'kitchen' });

        expect(reply.data.messages).toEqual([]);
      });

      it.each([0, 101, 2.5, '5', -1])(
        'answers limit %j with validation_failed naming limit',
        async (limit) => {
          const reply = await alice.request('history', { room: 'kitchen', limit });

          expect(reply.event).toBe('error');
          expect(reply.data).toMatchObject({
            code: 'validation_failed',
            details: [expect.objectContaining({ field: 'limit' })],
          });
        },
      );

      it('answers history for a room the socket has not joined with not_in_room', async () => {
        const reply = await bob.request('history', { room: 'kitchen' });

        expect(reply.data).toMatchObject({ code: 'not_in_room', ref: 'r1' });
      });
    });
  });

  describe('a join whose history read is slow', () => {
    let [alice, bob]: TestClient[] = [];

    beforeEach(async () => {
      sut = await startApp({ ...UNLIMITED, HISTORY_CACHE_TTL_MS: '0' });
      [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
      await alice.request('message', { room: 'kitchen', text: 'm0' });
    });

    it('sends joined first, then the messages that arrived after the read, each once and in order', async () => {
      const stall = stallNextLatest(sut, true);
      bob.send('join', { room: 'kitchen', ref: 'j' });
      await stall.reading;

      await sendMany(alice, 'kitchen', 3, 'late');
      stall.release();

      const frames = [await bob.next((f) => f.event === 'joined' || f.event === 'message')];
      for (let i = 0; i < 3; i += 1) frames.push(await bob.next('message'));
      expect(frames.map((f) => f.event)).toEqual(['joined', 'message', 'message', 'message']);
      expect(texts(frames[0].data.messages)).toEqual(['m0']);
      expect(frames.slice(1).map((f) => f.data.text)).toEqual(['late0', 'late1', 'late2']);
      expect(await bob.collect('message', 150)).toEqual([]);
    });

    it('does not repeat live a message that the read already showed in joined', async () => {
      const stall = stallNextLatest(sut, false);
      bob.send('join', { room: 'kitchen', ref: 'j' });
      await stall.reading;

      await sendMany(alice, 'kitchen', 3, 'late');
      stall.release();

      const joined = await bob.next('joined');
      expect(texts(joined.data.messages)).toEqual(['m0', 'late0', 'late1', 'late2']);
      expect(await bob.collect('message', 200)).toEqual([]);
    });

    it('closes the joining socket with 1013 when more than 4096 frames pile up during the join', async () => {
      const stall = stallNextLatest(sut, true);
      bob.send('join', { room: 'kitchen', ref: 'j' });
      await stall.reading;

      try {
        await sendMany(alice, 'kitchen', 4097, 'flood');

        expect((await bob.waitClosed(10000)).code).toBe(1013);
        expect(alice.isOpen).toBe(true);
      } finally {
        stall.release();
      }
    });
  });

  describe('with the recent-history cache (the default)', () => {
    it('shows a joiner a message that arrived while another join was reading, in joined or live', async () => {
      sut = await startApp(UNLIMITED);
      const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');
      await carol.request('join', { room: 'kitchen' });
      await carol.request('message', { room: 'kitchen', text: 'm0' });
      const stall = stallNextLatest(sut, true);
      alice.send('join', { room: 'kitchen', ref: 'a' });
      await stall.reading;

      await carol.request('message', { room: 'kitchen', text: 'm1' });
      bob.send('join', { room: 'kitchen', ref: 'b' });
      // Time for bob's join to reach the read that alice's join started; it adds no assertion of its own.
      await new Promise((resolve) => setTimeout(resolve, 200));
      stall.release();

      const shown = texts(
        (await bob.next((f) => f.data.ref === 'b', "bob's joined")).data.messages,
      );
      const live = shown.includes('m1') ? [] : [(await bob.next('message', 'm1, live')).data.text];
      expect([...shown, ...live]).toEqual(['m0', 'm1']);
    });
  });

  describe('with HISTORY_MAX_MESSAGES=10', () => {
    beforeEach(async () => {
      sut = await startApp({ ...UNLIMITED, HISTORY_MAX_MESSAGES: '10' });
    });

    it.skipIf(testDatabaseKind)(
      'shows the latest held messages with recovered false when since is older than what is held',
      async () => {
        const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
        await alice.request('join', { room: 'kitchen' });
        const acks = await sendMany(alice, 'kitchen', 30);

        const joined = await bob.request('join', { room: 'kitchen', since: acks[2].data.id });

        expect(texts(joined.data.messages)).toEqual(range(20, 30));
        expect(joined.data.recovered).toBe(false);
      },
    );

    it('recovers with recovered true when since is the message just before the oldest held', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
      const acks = await sendMany(alice, 'kitchen', 30);

      const joined = await bob.request('join', { room: 'kitchen', since: acks[19].data.id });

      expect(texts(joined.data.messages)).toEqual(range(20, 30));
      expect(joined.data.recovered).toBe(true);
    });

    it.runIf(testDatabaseKind)(
      'with a database, recovers past HISTORY_MAX_MESSAGES: the memory ceiling does not apply',
      async () => {
        const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
        await alice.request('join', { room: 'kitchen' });
        const acks = await sendMany(alice, 'kitchen', 30);

        const joined = await bob.request('join', { room: 'kitchen', since: acks[2].data.id });

        expect(texts(joined.data.messages)).toEqual(range(3, 30));
        expect(joined.data.recovered).toBe(true);
      },
    );
  });
});
