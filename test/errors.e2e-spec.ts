import { vi } from 'vitest';
import { HistoryService } from '../src/domain/history/history.service.js';
import type { ChatMessage } from '../src/protocol/chat.events.js';
import { MessageStore } from '../src/engine/message-store.js';
import type { TestClient } from './utils/test-client.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { asUser, connectUsers } from './utils/users.js';

/** A fault with the kind of detail that must never reach a client. */
const SECRET_FAULT = 'ECONNREFUSED 10.0.0.7:5432 user=switchboard password=hunter2';

/** History whose pages fail with a plain Error, the way a driver bug or a lost connection would. */
class FailingHistoryService extends HistoryService {
  override page(): Promise<ChatMessage[]> {
    throw new Error(SECRET_FAULT);
  }
}

/** Asserts that the socket still answers: a round trip on it succeeds. */
async function expectStillAnswers(client: TestClient): Promise<void> {
  expect(client.isOpen).toBe(true);
  expect((await client.request('join', { room: 'still-here' })).event).toBe('joined');
}

describe('error codes', () => {
  let sut: TestApp;

  afterEach(async () => {
    vi.restoreAllMocks();
    await sut.close();
  });

  describe('with default limits', () => {
    beforeEach(async () => {
      sut = await startApp();
    });

    describe('bad_request', () => {
      it.each([
        ['a frame that is not JSON', '{"event": "message", "data": {'],
        ['an envelope without event', '{"data": {"room": "lobby"}}'],
        ['an envelope whose event is not a string', '{"event": 7, "data": {}}'],
        ['an envelope without data', '{"event": "join"}'],
        ['data that is null', '{"event": "join", "data": null}'],
        ['data that is an array', '{"event": "join", "data": ["lobby"]}'],
        ['data that is a string', '{"event": "join", "data": "lobby"}'],
        ['data that is a number', '{"event": "join", "data": 1}'],
      ])('answers %s with exactly {code: bad_request, message}', async (_, frame) => {
        const alice = await sut.connect(asUser('alice'));

        alice.sendRaw(frame);

        expect(await alice.next('error')).toEqual({
          event: 'error',
          data: { code: 'bad_request', message: expect.any(String) },
        });
      });

      it('keeps the socket open after a bad_request', async () => {
        const alice = await sut.connect(asUser('alice'));

        alice.sendRaw('{not json');
        await alice.next('error');

        await expectStillAnswers(alice);
      });
    });

    describe('unknown_event', () => {
      it('answers an unknown event with exactly {code: unknown_event, message, ref}', async () => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request('shout', { room: 'lobby', text: 'hi' });

        expect(reply).toEqual({
          event: 'error',
          data: { code: 'unknown_event', message: expect.any(String), ref: 'r1' },
        });
      });

      it('treats event names as case-sensitive', async () => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request('Message', { room: 'lobby', text: 'hi' });

        expect(reply.data.code).toBe('unknown_event');
      });

      it('keeps the socket open after an unknown_event', async () => {
        const alice = await sut.connect(asUser('alice'));
        await alice.request('shout', {});

        await expectStillAnswers(alice);
      });
    });

    describe('validation_failed', () => {
      it('lists every missing field in details, with the ref', async () => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request('message', {});

        expect(reply.data).toEqual({
          code: 'validation_failed',
          message: expect.any(String),
          ref: 'r1',
          details: expect.arrayContaining([
            { field: 'room', errors: expect.arrayContaining([expect.any(String)]) },
            { field: 'text', errors: expect.arrayContaining([expect.any(String)]) },
          ]),
        });
        expect(reply.data.details).toHaveLength(2);
      });

      it.each([
        ['message', { room: 'lobby', text: 42 }, 'text'],
        ['message', { room: 'lobby', text: '   ' }, 'text'],
        ['message', { room: 'lobby', text: 'hi', clientMsgId: 'c'.repeat(65) }, 'clientMsgId'],
        ['message', { room: 'lobby', text: 'hi', clientMsgId: 7 }, 'clientMsgId'],
        ['join', { room: 'has space' }, 'room'],
        ['join', { room: 'kitchen', since: 12 }, 'since'],
        ['leave', { room: '' }, 'room'],
        ['dm', { to: '', text: 'hi' }, 'to'],
        ['dm', { to: 'x'.repeat(65), text: 'hi' }, 'to'],
        ['typing', { room: ['lobby'] }, 'room'],
        ['history', { room: 'lobby', before: { id: 1 } }, 'before'],
      ])('answers %s %j with details naming %s', async (event, data, field) => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request(event, data);

        expect(reply.data).toMatchObject({ code: 'validation_failed', ref: 'r1' });
        expect(reply.data.details.map((d: { field: string }) => d.field)).toEqual([field]);
      });

      it('answers a ref longer than 64 characters with details naming ref, and echoes no ref', async () => {
        const alice = await sut.connect(asUser('alice'));

        alice.send('message', { room: 'lobby', text: 'hi', ref: 'r'.repeat(65) });

        const { data } = await alice.next('error');
        expect(data).toMatchObject({ code: 'validation_failed', details: [{ field: 'ref' }] });
        expect(data).not.toHaveProperty('ref');
      });

      it('delivers nothing to others when a message fails validation', async () => {
        const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

        await alice.request('message', { room: 'lobby', text: '' });

        expect(await bob.collect('message', 150)).toEqual([]);
      });

      it('keeps the socket open after a validation_failed', async () => {
        const alice = await sut.connect(asUser('alice'));
        await alice.request('message', {});

        await expectStillAnswers(alice);
      });
    });

    describe('not_in_room', () => {
      it.each([
        ['message', { room: 'kitchen', text: 'hi' }],
        ['typing', { room: 'kitchen' }],
        ['history', { room: 'kitchen' }],
        ['leave', { room: 'kitchen' }],
      ])(
        'answers %s for a room not joined with exactly {code: not_in_room, message, ref}',
        async (event, data) => {
          const alice = await sut.connect(asUser('alice'));

          const reply = await alice.request(event, data);

          expect(reply).toEqual({
            event: 'error',
            data: { code: 'not_in_room', message: expect.any(String), ref: 'r1' },
          });
        },
      );

      it('delivers nothing to the room’s members when a non-member sends to it', async () => {
        const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
        await bob.request('join', { room: 'kitchen' });

        await alice.request('message', { room: 'kitchen', text: 'let me in' });

        expect(await bob.collect('message', 150)).toEqual([]);
      });

      it('keeps the socket open after a not_in_room', async () => {
        const alice = await sut.connect(asUser('alice'));
        await alice.request('message', { room: 'kitchen', text: 'hi' });

        await expectStillAnswers(alice);
      });
    });

    describe('forbidden (private rooms in dev mode)', () => {
      it('answers a join of a private: room with exactly {code: forbidden, message, ref}', async () => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request('join', { room: 'private:board' });

        expect(reply).toEqual({
          event: 'error',
          data: { code: 'forbidden', message: expect.any(String), ref: 'r1' },
        });
      });

      it('leaves the socket out of the private room after a forbidden join', async () => {
        const alice = await sut.connect(asUser('alice'));
        await alice.request('join', { room: 'private:board' });

        const reply = await alice.request('message', { room: 'private:board', text: 'hi' });

        expect(reply.data.code).toBe('not_in_room');
      });

      it('keeps the socket open after a forbidden', async () => {
        const alice = await sut.connect(asUser('alice'));
        await alice.request('join', { room: 'private:board' });

        await expectStillAnswers(alice);
      });
    });
  });

  describe('forbidden (over MAX_ROOMS_PER_CONNECTION=3)', () => {
    beforeEach(async () => {
      sut = await startApp({ MAX_ROOMS_PER_CONNECTION: '3' });
    });

    it('answers a join past the limit (lobby included) with forbidden and details.maxRooms', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'a' });
      await alice.request('join', { room: 'b' });

      const reply = await alice.request('join', { room: 'c' });

      expect(reply).toEqual({
        event: 'error',
        data: {
          code: 'forbidden',
          message: expect.any(String),
          ref: 'r3',
          details: { maxRooms: 3 },
        },
      });
    });

    it('keeps a refused socket out of the room: its members see no presence and it gets no messages', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await bob.request('join', { room: 'c' });
      await alice.request('join', { room: 'a' });
      await alice.request('join', { room: 'b' });
      await alice.request('join', { room: 'c' });

      await bob.request('message', { room: 'c', text: 'members only' });

      expect(await bob.collect('presence', 100)).toEqual([]);
      expect(await alice.collect('message', 150)).toEqual([]);
    });

    it('still lets a full socket re-join a room it is in', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'a' });
      await alice.request('join', { room: 'b' });

      expect((await alice.request('join', { room: 'a' })).event).toBe('joined');
    });

    it('lets a socket join another room once it left one', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'a' });
      await alice.request('join', { room: 'b' });
      await alice.request('leave', { room: 'a' });

      expect((await alice.request('join', { room: 'c' })).event).toBe('joined');
    });
  });

  describe('rate_limited (burst 3, 2 a second, closing at 5 refusals within the window)', () => {
    beforeEach(async () => {
      sut = await startApp({
        RATE_LIMIT_BURST: '3',
        RATE_LIMIT_PER_SECOND: '2',
        RATE_LIMIT_CLOSE_AFTER: '5',
      });
    });

    it('answers the frame past the burst with exactly {code: rate_limited, message, ref, details.retryAfterMs}', async () => {
      const alice = await sut.connect(asUser('alice'));

      for (const ref of ['a', 'b', 'c', 'd'])
        alice.send('message', { room: 'lobby', text: ref, ref });

      for (const ref of ['a', 'b', 'c'])
        expect((await alice.next((f) => f.data.ref === ref)).event).toBe('ack');
      const refused = await alice.next((f) => f.data.ref === 'd');
      expect(refused).toEqual({
        event: 'error',
        data: {
          code: 'rate_limited',
          message: expect.any(String),
          ref: 'd',
          details: { retryAfterMs: expect.any(Number) },
        },
      });
      expect(refused.data.details.retryAfterMs).toBeGreaterThan(0);
      expect(refused.data.details.retryAfterMs).toBeLessThanOrEqual(500);
    });

    it('does not deliver a rate-limited message', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      for (const text of ['1', '2', '3', '4']) alice.send('message', { room: 'lobby', text });

      await alice.next('error');
      const delivered = [
        await bob.next('message'),
        await bob.next('message'),
        await bob.next('message'),
      ];
      expect(delivered.map((frame) => frame.data.text)).toEqual(['1', '2', '3']);
      expect(await bob.collect('message', 150)).toEqual([]);
    });

    it('counts frames the server refuses before any handler (unknown events) against the rate', async () => {
      const alice = await sut.connect(asUser('alice'));

      for (const ref of ['a', 'b', 'c', 'd']) alice.send('shout', { ref });

      const replies = [];
      for (const ref of ['a', 'b', 'c', 'd'])
        replies.push(await alice.next((f) => f.data.ref === ref));
      expect(replies.map((reply) => reply.data.code)).toEqual([
        'unknown_event',
        'unknown_event',
        'unknown_event',
        'rate_limited',
      ]);
      expect(replies[3].data.details.retryAfterMs).toBeGreaterThan(0);
    });

    it('keeps the socket open and accepts the request again after retryAfterMs', async () => {
      const alice = await sut.connect(asUser('alice'));
      for (const ref of ['a', 'b', 'c', 'd'])
        alice.send('message', { room: 'lobby', text: ref, ref });
      const refused = await alice.next((f) => f.data.ref === 'd');

      await new Promise((resolve) => setTimeout(resolve, refused.data.details.retryAfterMs + 50));

      expect(alice.isOpen).toBe(true);
      expect((await alice.request('message', { room: 'lobby', text: 'again' })).event).toBe('ack');
    });

    it('closes the socket with 1008 on sustained abuse', async () => {
      const alice = await sut.connect(asUser('alice'));

      for (let i = 0; i < 3 + 5; i += 1) alice.send('message', { room: 'lobby', text: `${i}` });

      expect(await alice.waitClosed(5000)).toEqual({ code: 1008, reason: expect.any(String) });
    });

    it('limits each connection on its own: another socket is unaffected by the abuser', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      for (let i = 0; i < 3 + 5; i += 1) alice.send('message', { room: 'lobby', text: `${i}` });
      await alice.waitClosed(5000);

      expect((await bob.request('message', { room: 'lobby', text: 'fine' })).event).toBe('ack');
    });
  });

  describe('unavailable (the store refuses writes)', () => {
    beforeEach(async () => {
      sut = await startApp({ LOG_LEVEL: 'silent' });
    });

    const storeDown = () =>
      vi
        .spyOn(sut.app.get(MessageStore), 'append')
        .mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:6379'));

    it('answers a message that could not be stored with exactly {code: unavailable, message, ref}', async () => {
      const alice = await sut.connect(asUser('alice'));
      storeDown();

      const reply = await alice.request('message', {
        room: 'lobby',
        text: 'hi',
        clientMsgId: 'u-1',
      });

      expect(reply).toEqual({
        event: 'error',
        data: { code: 'unavailable', message: expect.any(String), ref: 'r1' },
      });
    });

    it('answers a dm that could not be stored with unavailable', async () => {
      const alice = await sut.connect(asUser('alice'));
      storeDown();

      const reply = await alice.request('dm', { to: 'bob', text: 'hi' });

      expect(reply.data.code).toBe('unavailable');
    });

    it('delivers nothing while the store is down', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      storeDown();

      await alice.request('message', { room: 'lobby', text: 'lost?', clientMsgId: 'u-1' });

      expect(await bob.collect('message', 150)).toEqual([]);
    });

    it('acks and delivers once a resend with the same clientMsgId after the store recovered', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      const outage = storeDown();
      await alice.request('message', { room: 'lobby', text: 'retry me', clientMsgId: 'u-1' });
      outage.mockRestore();

      const ack = await alice.request('message', {
        room: 'lobby',
        text: 'retry me',
        clientMsgId: 'u-1',
      });
      const again = await alice.request('message', {
        room: 'lobby',
        text: 'retry me',
        clientMsgId: 'u-1',
      });

      expect(ack.event).toBe('ack');
      expect(again.data.id).toBe(ack.data.id);
      expect((await bob.next('message')).data).toMatchObject({ id: ack.data.id, text: 'retry me' });
      expect(await bob.collect('message', 200)).toEqual([]);
    });

    it('keeps the socket open after an unavailable', async () => {
      const alice = await sut.connect(asUser('alice'));
      storeDown();
      await alice.request('message', { room: 'lobby', text: 'hi' });

      await expectStillAnswers(alice);
    });
  });

  describe('unavailable (the write queue is full, MAX_QUEUE_DEPTH=1)', () => {
    beforeEach(async () => {
      sut = await startApp({ MAX_QUEUE_DEPTH: '1' });
    });

    it('answers a send past the queue depth with unavailable and still acks the queued one', async () => {
      const alice = await sut.connect(asUser('alice'));
      const store = sut.app.get(MessageStore);
      const append = store.append.bind(store);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      vi.spyOn(store, 'append').mockImplementation(async (batch) => {
        await gate;
        return append(batch);
      });

      alice.send('message', { room: 'lobby', text: 'first', ref: 'a' });
      const refused = await alice.request('message', { room: 'lobby', text: 'second' });
      release();

      expect(refused.data).toMatchObject({ code: 'unavailable', ref: 'r1' });
      expect((await alice.next((f) => f.data.ref === 'a')).event).toBe('ack');
    });
  });

  describe('internal (a service throws a plain Error)', () => {
    beforeEach(async () => {
      sut = await startApp({ LOG_LEVEL: 'silent' }, (builder) =>
        builder.overrideProvider(HistoryService).useClass(FailingHistoryService),
      );
    });

    it('answers with exactly {code: internal, message: "internal error", ref}', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('history', { room: 'lobby' });

      expect(reply).toEqual({
        event: 'error',
        data: { code: 'internal', message: 'internal error', ref: 'r1' },
      });
    });

    it('leaks neither the error’s message nor its stack', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = JSON.stringify(await alice.request('history', { room: 'lobby' }));

      for (const leak of [
        'hunter2',
        '10.0.0.7',
        'ECONNREFUSED',
        'Error',
        'stack',
        '.ts:',
        '    at ',
      ]) {
        expect(reply).not.toContain(leak);
      }
    });

    it('keeps the socket open after an internal', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('history', { room: 'lobby' });

      await expectStillAnswers(alice);
    });
  });
});
