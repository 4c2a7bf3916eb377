import { ChatMetrics } from '../src/observability/chat-metrics.js';
import { ConnectionRegistry } from '../src/transport/connection-registry.js';
import { floodPings } from './utils/ping-flood.js';
import type { TestClient } from './utils/test-client.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { asUser, connectUsers } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

/** Rate limits out of the way, for tests about other limits. */
const UNLIMITED: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

/** An envelope padded (with a field the server ignores) to exactly `bytes` bytes of UTF-8. */
function frameOfSize(bytes: number, ref: string): string {
  const bare = JSON.stringify({
    event: 'message',
    data: { room: 'lobby', text: 'hi', ref, pad: '' },
  });
  const frame = JSON.stringify({
    event: 'message',
    data: { room: 'lobby', text: 'hi', ref, pad: 'p'.repeat(bytes - Buffer.byteLength(bare)) },
  });
  expect(Buffer.byteLength(frame)).toBe(bytes);
  return frame;
}

/** An envelope whose JSON is exactly `bytes` bytes (padded in the text), cut into one-byte fragments. */
function oneByteFragments(bytes: number, ref: string): string[] {
  const bare = JSON.stringify({ event: 'message', data: { room: 'lobby', text: '', ref } });
  const frame = JSON.stringify({
    event: 'message',
    data: { room: 'lobby', text: 't'.repeat(bytes - bare.length), ref },
  });
  expect(frame.length).toBe(bytes);
  return frame.split('');
}

/** How many error frames of `code` the app counted. */
async function errorsCounted(sut: TestApp, code: string): Promise<number> {
  const metric = await sut.app.get(ChatMetrics).errors.get();
  return metric.values.find((value) => value.labels.code === code)?.value ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('limits', () => {
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  describe('with default limits', () => {
    beforeEach(async () => {
      sut = await startApp({ USER_RATE_LIMIT_PER_SECOND: '100000' });
    });

    it('accepts a frame of exactly 64 KiB', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw(frameOfSize(65536, 'big'));

      expect((await alice.next((f) => f.data.ref === 'big')).event).toBe('ack');
    });

    it('closes the socket with 1009 on a frame of 64 KiB plus one byte', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw(frameOfSize(65537, 'too-big'));

      expect((await alice.waitClosed(5000)).code).toBe(1009);
    });

    it('accepts a text of 4000 characters and delivers it intact', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      const text = 'a'.repeat(3999) + 'z';

      expect((await alice.request('message', { room: 'lobby', text })).event).toBe('ack');
      expect((await bob.next('message')).data.text).toBe(text);
    });

    it('answers a text of 4001 characters with validation_failed naming text', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('message', { room: 'lobby', text: 'a'.repeat(4001) });

      expect(reply.data).toMatchObject({ code: 'validation_failed', details: [{ field: 'text' }] });
    });

    it('counts the length after trimming: 4000 characters inside whitespace are accepted', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('message', {
        room: 'lobby',
        text: `   ${'a'.repeat(4000)}\n\n`,
      });

      expect(reply.event).toBe('ack');
    });

    it('counts characters, not UTF-16 units: 4000 emoji are accepted and delivered intact', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      const text = '😀'.repeat(4000);
      expect(text.length).toBe(8000);

      expect((await alice.request('message', { room: 'lobby', text })).event).toBe('ack');
      expect((await bob.next('message')).data.text).toBe(text);
    });

    it('answers 4001 emoji with validation_failed', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('message', { room: 'lobby', text: '😀'.repeat(4001) });

      expect(reply.data.code).toBe('validation_failed');
    });

    it('accepts a one-character text', async () => {
      const alice = await sut.connect(asUser('alice'));

      expect((await alice.request('message', { room: 'lobby', text: 'é' })).event).toBe('ack');
    });

    it.each(['', ' ', '\n\t \r'])(
      'answers text %j (empty after trimming) with validation_failed',
      async (text) => {
        const alice = await sut.connect(asUser('alice'));

        const reply = await alice.request('message', { room: 'lobby', text });

        expect(reply.data).toMatchObject({
          code: 'validation_failed',
          details: [{ field: 'text' }],
        });
      },
    );

    it.each([
      ['of one character', 'a'],
      ['of every allowed kind of character', 'Room_1.a:b-c'],
      ['of 64 characters', 'R'.repeat(64)],
      ['made of dots', '...'],
    ])('accepts a room name %s', async (_, room) => {
      const alice = await sut.connect(asUser('alice'));

      expect(await alice.request('join', { room })).toMatchObject({
        event: 'joined',
        data: { room },
      });
    });

    it.each([
      ['that is empty', ''],
      ['of 65 characters', 'R'.repeat(65)],
      ['with a space', 'two words'],
      ['with a slash', 'a/b'],
      ['with a non-ASCII letter', 'café'],
      ['with a newline', 'a\nb'],
      ['with markup', '<script>'],
    ])('answers a room name %s with validation_failed naming room', async (_, room) => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('join', { room });

      expect(reply.data).toMatchObject({
        code: 'validation_failed',
        details: [{ field: 'room' }],
      });
    });

    it('refuses frames past a burst of 40 with rate_limited, refilling at 20 a second', async () => {
      const alice = await sut.connect(asUser('alice'));
      const refs = Array.from({ length: 80 }, (_, i) => `m${i}`);

      for (const ref of refs) alice.send('message', { room: 'lobby', text: ref, ref });

      const acks = [];
      for (const ref of refs.slice(0, 40)) acks.push(await alice.next((f) => f.data.ref === ref));
      expect(acks.every((reply) => reply.event === 'ack')).toBe(true);
      const refused = await alice.next((f) => f.data.code === 'rate_limited');
      // At 20 tokens a second, the next one is never more than 50 ms away.
      expect(refused.data.details.retryAfterMs).toBeGreaterThan(0);
      expect(refused.data.details.retryAfterMs).toBeLessThanOrEqual(50);
    });
  });

  describe('refusals counted over RATE_LIMIT_WINDOW_MS (defaults: silent after 10, closed at 100)', () => {
    beforeEach(async () => {
      sut = await startApp({ USER_RATE_LIMIT_PER_SECOND: '100000' });
    });

    it('closes a socket that slips an accepted frame between bursts of refused ones with 1008', async () => {
      const alice = await sut.connect(asUser('alice'));

      // One token refills every 50 ms: after each pause the first frame is accepted, the rest refused.
      // Counted in a row, the accepted frame reset the count and this went on for ever.
      for (let round = 0; round < 30 && alice.isOpen; round += 1) {
        await sleep(60);
        for (let i = 0; i < 16; i += 1)
          alice.send('message', { room: 'lobby', text: 'dodge', ref: `${round}/${i}` });
      }

      expect(await alice.waitClosed(5000)).toEqual({ code: 1008, reason: expect.any(String) });
      const acks = alice.inbox.filter((frame) => frame.event === 'ack');
      const lastBurstRound = Math.max(...acks.map((ack) => Number(ack.data.ref.split('/')[0])));
      expect(lastBurstRound).toBeGreaterThanOrEqual(4);
    });

    it('answers only 10 of a flood of refused frames, counting every one, and keeps the socket open', async () => {
      const alice = await sut.connect(asUser('alice'));

      for (let i = 0; i < 50; i += 1) alice.send('shout', { ref: `s${i}` });
      let counted = 0;
      const deadline = Date.now() + 5000;
      while (counted < 50 && Date.now() < deadline) {
        await sleep(20);
        counted =
          (await errorsCounted(sut, 'unknown_event')) + (await errorsCounted(sut, 'rate_limited'));
      }
      await sleep(100);

      expect(counted).toBe(50);
      expect(alice.inbox.map((frame) => frame.data.ref)).toEqual(
        Array.from({ length: 10 }, (_, i) => `s${i}`),
      );
      expect(alice.isOpen).toBe(true);
    });
  });

  describe('refusals with RATE_LIMIT_WINDOW_MS=300', () => {
    beforeEach(async () => {
      sut = await startApp({ RATE_LIMIT_WINDOW_MS: '300' });
    });

    it('answers refused frames again once the flood has left the window', async () => {
      const alice = await sut.connect(asUser('alice'));
      for (let i = 0; i < 30; i += 1) alice.send('shout', { ref: `s${i}` });
      await alice.next((f) => f.data.ref === 's9');
      expect((await alice.drain(200)).map((frame) => frame.data.ref)).toEqual(
        Array.from({ length: 9 }, (_, i) => `s${i}`),
      );

      await sleep(700);

      expect((await alice.request('shout')).data.code).toBe('unknown_event');
    });
  });

  describe('rooms per connection (default 100)', () => {
    beforeEach(async () => {
      sut = await startApp(UNLIMITED);
    });

    it('lets a connection be in 100 rooms, lobby included, and answers the 101st with forbidden', async () => {
      const alice = await sut.connect(asUser('alice'));
      const rooms = Array.from({ length: 100 }, (_, i) => `room-${i}`);

      for (const room of rooms) alice.send('join', { room, ref: room });
      const replies = [];
      for (const room of rooms) replies.push(await alice.next((f) => f.data.ref === room));

      expect(replies.slice(0, 99).map((reply) => reply.event)).toEqual(Array(99).fill('joined'));
      expect(replies[99].data).toMatchObject({ code: 'forbidden', details: { maxRooms: 100 } });
    });
  });

  describe('with MAX_FRAME_BYTES=1024', () => {
    beforeEach(async () => {
      sut = await startApp({ MAX_FRAME_BYTES: '1024' });
    });

    it('accepts a frame of exactly MAX_FRAME_BYTES', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw(frameOfSize(1024, 'fits'));

      expect((await alice.next((f) => f.data.ref === 'fits')).event).toBe('ack');
    });

    it('closes the socket with 1009 on a larger frame', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw(frameOfSize(1025, 'too-big'));

      expect((await alice.waitClosed(5000)).code).toBe(1009);
    });

    it('closes a binary frame that is too large with 1009 as well', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw(Buffer.alloc(4096, 1));

      expect((await alice.waitClosed(5000)).code).toBe(1009);
    });

    it('closes only the offending socket', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      alice.sendRaw(frameOfSize(2048, 'too-big'));
      await alice.waitClosed(5000);

      expect((await bob.request('message', { room: 'lobby', text: 'still here' })).event).toBe(
        'ack',
      );
    });
  });

  describe('with MAX_TEXT_LENGTH=10', () => {
    beforeEach(async () => {
      sut = await startApp({ MAX_TEXT_LENGTH: '10' });
    });

    it('accepts 10 characters and refuses 11', async () => {
      const alice = await sut.connect(asUser('alice'));

      expect((await alice.request('message', { room: 'lobby', text: '0123456789' })).event).toBe(
        'ack',
      );
      expect(
        (await alice.request('message', { room: 'lobby', text: '0123456789!' })).data.code,
      ).toBe('validation_failed');
    });
  });

  describe('with PRESENCE_MAX_MEMBERS=2', () => {
    let alice: TestClient;
    let bob: TestClient;

    beforeEach(async () => {
      sut = await startApp({ PRESENCE_MAX_MEMBERS: '2' });
      [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'hall' });
    });

    it('still lists members and announces a join that brings the room to the limit', async () => {
      const joined = await bob.request('join', { room: 'hall' });

      expect(joined.data.members).toHaveLength(2);
      expect((await alice.next('presence')).data).toMatchObject({
        action: 'join',
        user: { id: 'bob' },
      });
    });

    it('sends an empty members list to a joiner that takes the room past the limit', async () => {
      await bob.request('join', { room: 'hall' });
      const carol = await sut.connect(asUser('carol'));

      const joined = await carol.request('join', { room: 'hall' });

      expect(joined.data).toMatchObject({ room: 'hall', members: [] });
    });

    it('announces no join past the limit', async () => {
      await bob.request('join', { room: 'hall' });
      await alice.next('presence');
      const carol = await sut.connect(asUser('carol'));

      await carol.request('join', { room: 'hall' });

      expect(await alice.collect('presence', 150)).toEqual([]);
      expect(await bob.collect('presence', 0)).toEqual([]);
    });

    it('announces no leave from a room above the limit, and again once it is back within it', async () => {
      await bob.request('join', { room: 'hall' });
      await alice.next('presence');
      const [carol, dave] = await connectUsers(sut, 'carol', 'dave');
      await carol.request('join', { room: 'hall' });
      await dave.request('join', { room: 'hall' });

      await dave.request('leave', { room: 'hall' });
      expect(await alice.collect('presence', 150)).toEqual([]);
      await carol.request('leave', { room: 'hall' });
      expect(await alice.collect('presence', 150)).toEqual([]);
      await bob.request('leave', { room: 'hall' });

      expect((await alice.next('presence')).data).toMatchObject({
        action: 'leave',
        user: { id: 'bob' },
      });
    });

    it('still delivers messages in a room above the limit', async () => {
      await bob.request('join', { room: 'hall' });
      const carol = await sut.connect(asUser('carol'));
      await carol.request('join', { room: 'hall' });

      await carol.request('message', { room: 'hall', text: 'crowded' });

      expect((await alice.next('message')).data.text).toBe('crowded');
    });
  });

  describe('slow consumer (SLOW_CONSUMER_BYTES=262144)', () => {
    beforeEach(async () => {
      sut = await startApp({
        ...UNLIMITED,
        SLOW_CONSUMER_BYTES: '262144',
        MAX_TEXT_LENGTH: '60000',
        HISTORY_MAX_MESSAGES: '10',
      });
    });

    it('closes a socket that stops reading with 1013, and not the sender or a bystander', async () => {
      const [slow, sender, bystander] = [
        await sut.connect(asUser('slow')),
        await sut.connect(asUser('sender', { timeoutMs: 20000 })),
        await sut.connect(asUser('bystander')),
      ];
      await slow.request('join', { room: 'firehose' });
      await sender.request('join', { room: 'firehose' });
      slow.socket.pause();

      // Far more than the kernel's socket buffers hold (a few MiB), so the server's own buffer must grow.
      const text = 'x'.repeat(60000);
      const count = 300;
      for (let i = 0; i < count; i += 1)
        sender.send('message', { room: 'firehose', text, ref: `f${i}` });
      await sender.next((f) => f.data.ref === `f${count - 1}`, 'the ack of the last message');
      slow.socket.resume();

      expect(await slow.waitClosed(10000)).toEqual({ code: 1013, reason: expect.any(String) });
      expect(slow.inbox.filter((frame) => frame.event === 'message').length).toBeLessThan(count);
      expect(sender.isOpen).toBe(true);
      expect((await bystander.request('message', { room: 'lobby', text: 'fine' })).event).toBe(
        'ack',
      );
    });
  });

  describe('fragments (MAX_FRAGMENTS=64)', () => {
    beforeEach(async () => {
      sut = await startApp();
    });

    it('accepts a message sent in 64 one-byte fragments', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendFragments(oneByteFragments(64, 'a'));

      expect((await alice.next((f) => f.data.ref === 'a')).event).toBe('ack');
    });

    it('closes the socket with 1008 on a message in 65 fragments', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendFragments(oneByteFragments(65, 'b'));

      expect((await alice.waitClosed(5000)).code).toBe(1008);
      expect(alice.inbox).toEqual([]);
    });
  });

  describe('a socket that never reads', () => {
    beforeEach(async () => {
      sut = await startApp(UNLIMITED);
    });

    it('is cut off while flooding pings, long before a million', async () => {
      const flooder = await sut.connect(asUser('flooder'));
      const registry = sut.app.get(ConnectionRegistry);
      expect(registry.size).toBe(1);

      const written = await floodPings(flooder, 1_000_000);

      expect(written).toBeLessThan(1_000_000);
      await waitFor(() => registry.size === 0, 'the server to drop the flooder', 5000);
    });

    it('is closed with 1013 after a burst of 40 maximal joins with since, and others are answered quickly meanwhile', async () => {
      const [filler, hoarder, bob] = [
        await sut.connect(asUser('filler', { timeoutMs: 20000 })),
        await sut.connect(asUser('hoarder')),
        await sut.connect(asUser('bob')),
      ];
      await filler.request('join', { room: 'hoard' });
      // Each control character escapes to six bytes of JSON: 24 KB a message, 2.9 MB for all 120.
      const text = '\u0001'.repeat(4000);
      for (let i = 0; i < 120; i += 1)
        filler.send('message', { room: 'hoard', text, ref: `h${i}` });
      const first = await filler.next((f) => f.data.ref === 'h0');
      await filler.next((f) => f.data.ref === 'h119', 'the ack of the last message');
      const since = first.data.id.replace(/\d+$/, (sequence: string) =>
        '0'.repeat(sequence.length),
      );

      hoarder.socket.pause();
      for (let i = 0; i < 40; i += 1) hoarder.send('join', { room: 'hoard', since, ref: `j${i}` });
      const started = performance.now();
      const reply = await bob.request('message', { room: 'lobby', text: 'still quick?' });
      const roundTripMs = performance.now() - started;
      hoarder.socket.resume();

      expect(reply.event).toBe('ack');
      expect(roundTripMs).toBeLessThan(1000);
      expect((await hoarder.waitClosed(10000)).code).toBe(1013);
      expect(hoarder.inbox.filter((frame) => frame.event === 'joined').length).toBeLessThan(40);
    });
  });

  describe('heartbeat (HEARTBEAT_INTERVAL_MS=100)', () => {
    beforeEach(async () => {
      sut = await startApp({ HEARTBEAT_INTERVAL_MS: '100' });
    });

    const countPings = (client: TestClient): { count: number } => {
      const pings = { count: 0 };
      client.socket.on('ping', () => (pings.count += 1));
      return pings;
    };

    it('terminates a socket that misses two pongs, after pinging it at least twice', async () => {
      const deaf = await sut.connect(asUser('deaf', { ws: { autoPong: false } }));
      const pings = countPings(deaf);

      const closed = await deaf.waitClosed(5000);

      expect(closed.code).toBe(1006);
      expect(pings.count).toBeGreaterThanOrEqual(2);
    });

    it('keeps a socket that answers pings open', async () => {
      const alive = await sut.connect(asUser('alive'));
      const pings = countPings(alive);

      await waitFor(() => pings.count >= 5, 'five pings');

      expect(pings.count).toBeGreaterThanOrEqual(5);
      expect((await alive.request('join', { room: 'still-here' })).event).toBe('joined');
    });

    it('announces the leave of a terminated socket to its rooms', async () => {
      const [deaf, bob] = [
        await sut.connect(asUser('deaf', { ws: { autoPong: false } })),
        await sut.connect(asUser('bob')),
      ];
      await bob.request('join', { room: 'hall' });
      await deaf.request('join', { room: 'hall' });
      await bob.next('presence');

      await deaf.waitClosed(5000);

      expect((await bob.next('presence')).data).toMatchObject({
        action: 'leave',
        user: { id: 'deaf' },
      });
    });
  });

  describe('heartbeat spread (HEARTBEAT_INTERVAL_MS=1000)', () => {
    const SOCKETS = 20;

    /** Opens `SOCKETS` clients and records when each was pinged, by client. */
    const openPinged = async (options: Parameters<TestApp['connect']>[0] = {}) => {
      const pingedAt: number[][] = [];
      for (let i = 0; i < SOCKETS; i += 1) {
        const client = await sut.connect(asUser(`u${i}`, options));
        const times: number[] = [];
        client.socket.on('ping', () => times.push(performance.now()));
        pingedAt.push(times);
      }
      return pingedAt;
    };

    it('pings each socket once per interval at its own offset, not all of them at once', async () => {
      sut = await startApp({ HEARTBEAT_INTERVAL_MS: '1000' });
      const pingedAt = await openPinged();

      await new Promise((resolve) => setTimeout(resolve, 2300));

      for (const times of pingedAt) expect(times.length).toBeGreaterThanOrEqual(2);
      for (const times of pingedAt) expect(times.length).toBeLessThanOrEqual(3);
      // One sweep pinged all 20 within a millisecond; the wheel pings 2 per 100 ms tick.
      const all = pingedAt.flat().sort((a, b) => a - b);
      const mostWithin30Ms = Math.max(
        ...all.map((start) => all.filter((t) => t >= start && t < start + 30).length),
      );
      expect(mostWithin30Ms).toBeLessThanOrEqual(SOCKETS / 4);
    });

    it('pings through ws when permessage-deflate is on, and keeps answering sockets open', async () => {
      sut = await startApp({ HEARTBEAT_INTERVAL_MS: '1000', PERMESSAGE_DEFLATE: 'true' });
      const pingedAt = await openPinged({ ws: { perMessageDeflate: true } });

      await new Promise((resolve) => setTimeout(resolve, 1200));

      for (const times of pingedAt) expect(times.length).toBeGreaterThanOrEqual(1);
      const last = await sut.connect(asUser('last', { ws: { perMessageDeflate: true } }));
      expect((await last.request('join', { room: 'still-here' })).event).toBe('joined');
    });
  });
});
