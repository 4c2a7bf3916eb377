import { Test } from '@nestjs/testing';
import type { User } from '../../protocol/chat.events.js';
import { appConfig, parseEnvironment } from '../../config/app-config.js';
import { Broker, type Delivery } from '../broker.js';
import type { PendingSend, StoredSend } from '../message-store.js';
import { MemoryBroker } from './memory-broker.js';
import { MemoryMessageStore } from './memory-message-store.js';
import { MemorySendRateLimiter } from './memory-send-rate-limiter.js';
import { isSendRefusal } from '../send-refusal.js';

/** A broker that records every published batch. */
class RecordingBroker extends MemoryBroker {
  readonly batches: Delivery[][] = [];
  override async publish(batch: readonly Delivery[]): Promise<void> {
    this.batches.push([...batch]);
  }
}

const alice: User = { id: 'u-alice', name: 'alice' };

function roomSend(room: string, text: string, dedupeKey?: string): PendingSend {
  return { kind: 'room', room, from: alice, text, dedupeKey, origin: 'c1' };
}

async function createStore(
  env: Record<string, string> = {},
): Promise<{ sut: MemoryMessageStore; broker: RecordingBroker }> {
  const broker = new RecordingBroker();
  const moduleRef = await Test.createTestingModule({
    providers: [
      MemoryMessageStore,
      MemorySendRateLimiter,
      { provide: appConfig.KEY, useValue: parseEnvironment({ DATABASE_URL: 'memory', ...env }) },
      { provide: MemoryBroker, useValue: broker },
      { provide: Broker, useValue: broker },
    ],
  }).compile();
  return { sut: moduleRef.get(MemoryMessageStore), broker };
}

/** Appends one batch and returns what was stored for each send, failing the test on a refusal. */
async function append(sut: MemoryMessageStore, batch: PendingSend[]): Promise<StoredSend[]> {
  return (await sut.append(batch)).map((result) => {
    if (isSendRefusal(result)) throw new Error(`send refused: ${result.refused}`);
    return result;
  });
}

/** Appends `count` messages to a room, one batch each, and returns their ids in order. */
async function fill(sut: MemoryMessageStore, room: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const [stored] = await append(sut, [roomSend(room, `m${i}`)]);
    ids.push(stored.message.id);
  }
  return ids;
}

function textsOf(messages: { text: string }[]): string[] {
  return messages.map((message) => message.text);
}

describe('MemoryMessageStore', () => {
  let sut: MemoryMessageStore;
  let broker: RecordingBroker;

  beforeEach(async () => {
    ({ sut, broker } = await createStore({ HISTORY_MAX_MESSAGES: '5', DEDUPE_TTL_MS: '60000' }));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('append', () => {
    it('stores a message with the sender, room, text and a timestamp', async () => {
      const [stored] = await append(sut, [roomSend('lobby', 'hello')]);

      expect(stored).toMatchObject({
        kind: 'room',
        duplicate: false,
        message: { room: 'lobby', from: alice, text: 'hello', ts: expect.any(Number) },
      });
    });

    it('returns one result per send, in the order of the batch', async () => {
      const stored = await append(sut, [roomSend('a', 'one'), roomSend('b', 'two')]);

      expect(stored.map((result) => result.message.text)).toEqual(['one', 'two']);
    });

    it('gives increasing ids within a room that also sort as strings', async () => {
      const ids = await fill(sut, 'lobby', 12);

      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(12);
      for (let i = 1; i < ids.length; i += 1) expect(sut.isAfter(ids[i], ids[i - 1])).toBe(true);
    });

    it('numbers each room on its own', async () => {
      const [inA] = await append(sut, [roomSend('a', 'x')]);
      await fill(sut, 'b', 3);
      const [nextInA] = await append(sut, [roomSend('a', 'y')]);

      expect(sut.isAfter(nextInA.message.id, inA.message.id)).toBe(true);
      expect(await sut.latest('a', 50)).toHaveLength(2);
    });

    it('stores a direct message without putting it in any room history', async () => {
      const [stored] = await append(sut, [
        { kind: 'dm', to: 'u-bob', from: alice, text: 'psst', origin: 'c1' },
      ]);

      expect(stored).toMatchObject({ kind: 'dm', message: { to: 'u-bob', from: alice } });
      expect(await sut.latest('u-bob', 50)).toEqual([]);
    });

    it('answers a resend within the TTL with the first result, marked duplicate', async () => {
      const [first] = await append(sut, [roomSend('lobby', 'hello', 'k1')]);
      const [again] = await append(sut, [roomSend('lobby', 'hello', 'k1')]);

      expect(again).toEqual({ kind: first.kind, message: first.message, duplicate: true });
      expect(await sut.latest('lobby', 50)).toHaveLength(1);
    });

    it('dedupes a resend inside the same batch', async () => {
      const [first, again] = await append(sut, [
        roomSend('lobby', 'hello', 'k1'),
        roomSend('lobby', 'hello', 'k1'),
      ]);

      expect(again.duplicate).toBe(true);
      expect(again.message.id).toBe(first.message.id);
    });

    it('still dedupes a resend one millisecond before the TTL ends', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      await append(sut, [roomSend('lobby', 'hello', 'k1')]);
      vi.setSystemTime(1_000_000 + 59_999);

      const [again] = await append(sut, [roomSend('lobby', 'hello', 'k1')]);

      expect(again.duplicate).toBe(true);
    });

    it('stores a resend again once the TTL has passed', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      const [first] = await append(sut, [roomSend('lobby', 'hello', 'k1')]);
      vi.setSystemTime(1_000_000 + 60_000);

      const [again] = await append(sut, [roomSend('lobby', 'hello', 'k1')]);

      expect(again.duplicate).toBe(false);
      expect(again.message.id).not.toBe(first.message.id);
    });

    it('publishes the new messages of a batch as one batch, in order, skipping the sender', async () => {
      const stored = await append(sut, [roomSend('a', 'one'), roomSend('b', 'two')]);

      expect(broker.batches).toEqual([
        [
          {
            target: 'room',
            room: 'a',
            event: 'message',
            data: stored[0].message,
            id: stored[0].message.id,
            exclude: 'c1',
          },
          {
            target: 'room',
            room: 'b',
            event: 'message',
            data: stored[1].message,
            id: stored[1].message.id,
            exclude: 'c1',
          },
        ],
      ]);
    });

    it('publishes a direct message to the recipient and to the sender', async () => {
      await append(sut, [{ kind: 'dm', to: 'u-bob', from: alice, text: 'psst', origin: 'c1' }]);

      expect(broker.batches[0][0]).toMatchObject({
        target: 'user',
        userIds: ['u-bob', 'u-alice'],
        event: 'dm',
        exclude: 'c1',
      });
    });

    it('does not publish a resend', async () => {
      await append(sut, [roomSend('lobby', 'hello', 'k1')]);
      broker.batches.length = 0;

      await append(sut, [roomSend('lobby', 'hello', 'k1'), roomSend('lobby', 'new')]);

      expect(
        broker.batches.flat().map((delivery) => (delivery.data as { text: string }).text),
      ).toEqual(['new']);
    });
    it('refuses a send past USER_RATE_LIMIT_PER_SECOND with rate_limited', async () => {
      ({ sut } = await createStore({ USER_RATE_LIMIT_PER_SECOND: '2' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });

      const results = await sut.append([
        roomSend('lobby', 'one'),
        roomSend('lobby', 'two'),
        roomSend('lobby', 'three'),
      ]);

      expect(results[2]).toEqual({ refused: 'rate_limited', retryAfterMs: 1000 });
      expect(textsOf(await sut.latest('lobby', 50))).toEqual(['one', 'two']);
    });

    it("takes the user's sends again in the next second", async () => {
      ({ sut } = await createStore({ USER_RATE_LIMIT_PER_SECOND: '1' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      await sut.append([roomSend('lobby', 'one')]);
      vi.setSystemTime(1_001_000);

      const [next] = await sut.append([roomSend('lobby', 'two')]);

      expect(isSendRefusal(next)).toBe(false);
    });
  });

  describe('latest', () => {
    it('returns the latest messages, oldest first', async () => {
      await fill(sut, 'lobby', 4);

      expect(textsOf(await sut.latest('lobby', 2))).toEqual(['m3', 'm4']);
    });

    it('keeps only HISTORY_MAX_MESSAGES per room', async () => {
      await fill(sut, 'lobby', 12);

      expect(textsOf(await sut.latest('lobby', 50))).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
    });

    it('returns nothing for a room without messages', async () => {
      expect(await sut.latest('empty', 50)).toEqual([]);
    });
  });

  describe('after', () => {
    it('returns every message after `since`, recovered', async () => {
      const ids = await fill(sut, 'lobby', 4);

      const recovery = await sut.after('lobby', ids[1], { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(true);
      expect(textsOf(recovery.messages)).toEqual(['m3', 'm4']);
    });

    it('returns nothing, recovered, when `since` is the latest message', async () => {
      const ids = await fill(sut, 'lobby', 3);

      expect(await sut.after('lobby', ids[2], { max: 300, fallback: 50 })).toEqual({
        messages: [],
        recovered: true,
      });
    });

    it('recovers when `since` is the message just before the oldest one held', async () => {
      const ids = await fill(sut, 'lobby', 12);

      const recovery = await sut.after('lobby', ids[6], { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(true);
      expect(textsOf(recovery.messages)).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
    });

    it('falls back to the latest messages, not recovered, when history was trimmed past `since`', async () => {
      const ids = await fill(sut, 'lobby', 12);

      const recovery = await sut.after('lobby', ids[5], { max: 300, fallback: 3 });

      expect(recovery.recovered).toBe(false);
      expect(textsOf(recovery.messages)).toEqual(['m10', 'm11', 'm12']);
    });

    it('does not recover an id of another epoch (a restarted store)', async () => {
      const { sut: previous } = await createStore();
      const [old] = await fill(previous, 'lobby', 1);
      await fill(sut, 'lobby', 3);

      const recovery = await sut.after('lobby', old, { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(false);
      expect(textsOf(recovery.messages)).toEqual(['m1', 'm2', 'm3']);
    });

    it('does not recover an id issued by another room', async () => {
      const [elsewhere] = await fill(sut, 'ops', 1);
      await fill(sut, 'lobby', 3);

      const recovery = await sut.after('lobby', elsewhere, { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(false);
      expect(textsOf(recovery.messages)).toEqual(['m1', 'm2', 'm3']);
    });

    it('does not recover an id this store never issued', async () => {
      const ids = await fill(sut, 'lobby', 2);
      const beyond = ids[1].replace(/\d+$/, (sequence) =>
        String(Number(sequence) + 5).padStart(sequence.length, '0'),
      );

      expect((await sut.after('lobby', beyond, { max: 300, fallback: 50 })).recovered).toBe(false);
    });

    it('does not recover a malformed id', async () => {
      await fill(sut, 'lobby', 2);

      expect((await sut.after('lobby', 'garbage', { max: 300, fallback: 50 })).recovered).toBe(
        false,
      );
    });

    it('recovers a gap of exactly `max` messages', async () => {
      const ids = await fill(sut, 'lobby', 6);

      const recovery = await sut.after('lobby', ids[1], { max: 4, fallback: 2 });

      expect(recovery.recovered).toBe(true);
      expect(textsOf(recovery.messages)).toEqual(['m3', 'm4', 'm5', 'm6']);
    });

    it('falls back to the latest page, not recovered, when the gap is longer than `max`', async () => {
      const ids = await fill(sut, 'lobby', 6);

      const recovery = await sut.after('lobby', ids[0], { max: 4, fallback: 2 });

      expect(recovery).toEqual({ messages: expect.any(Array), recovered: false });
      expect(textsOf(recovery.messages)).toEqual(['m5', 'm6']);
    });
  });

  describe('before', () => {
    it('returns up to `limit` messages older than `before`, oldest first', async () => {
      const ids = await fill(sut, 'lobby', 5);

      expect(textsOf(await sut.before('lobby', ids[4], 2))).toEqual(['m3', 'm4']);
    });

    it('returns every older message when fewer than `limit` exist', async () => {
      const ids = await fill(sut, 'lobby', 3);

      expect(textsOf(await sut.before('lobby', ids[2], 50))).toEqual(['m1', 'm2']);
    });

    it('returns nothing before the first message', async () => {
      const ids = await fill(sut, 'lobby', 3);

      expect(await sut.before('lobby', ids[0], 50)).toEqual([]);
    });

    it('returns nothing for an id of another epoch', async () => {
      const { sut: previous } = await createStore();
      const [old] = await fill(previous, 'lobby', 1);
      await fill(sut, 'lobby', 3);

      expect(await sut.before('lobby', old, 50)).toEqual([]);
    });
  });

  describe('bounds across rooms', () => {
    /** How many room logs the store holds in memory, read or not. */
    function logsHeld(store: MemoryMessageStore): number {
      return (store as unknown as { rooms: Map<string, unknown> }).rooms.size;
    }

    it('keeps at most HISTORY_MAX_ROOMS logs, dropping the least recently written first', async () => {
      ({ sut } = await createStore({ HISTORY_MAX_ROOMS: '2' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      await fill(sut, 'a', 1);
      await fill(sut, 'b', 1);
      vi.setSystemTime(1_001_000);
      await fill(sut, 'a', 1);

      await fill(sut, 'c', 1);

      expect(textsOf(await sut.latest('a', 50))).toEqual(['m1', 'm1']);
      expect(await sut.latest('b', 50)).toEqual([]);
      expect(textsOf(await sut.latest('c', 50))).toEqual(['m1']);
      expect(logsHeld(sut)).toBe(2);
    });

    it('does not recover a `since` from an evicted log once the room is written again', async () => {
      ({ sut } = await createStore({ HISTORY_MAX_ROOMS: '1' }));
      const [old] = await fill(sut, 'lobby', 3);
      await fill(sut, 'other', 1);
      await append(sut, [roomSend('lobby', 'new')]);

      const recovery = await sut.after('lobby', old, { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(false);
      expect(textsOf(recovery.messages)).toEqual(['new']);
    });

    it('keeps a log until HISTORY_TTL_MS after its last message', async () => {
      ({ sut } = await createStore({ HISTORY_TTL_MS: '10000' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      await fill(sut, 'lobby', 1);
      vi.setSystemTime(1_000_000 + 500);
      await fill(sut, 'lobby', 1);
      vi.setSystemTime(1_000_000 + 500 + 9_999);

      await fill(sut, 'elsewhere', 1);

      expect(textsOf(await sut.latest('lobby', 50))).toEqual(['m1', 'm1']);
    });

    it('drops a log with no new message for HISTORY_TTL_MS', async () => {
      ({ sut } = await createStore({ HISTORY_TTL_MS: '10000' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      const ids = await fill(sut, 'lobby', 2);
      vi.setSystemTime(1_000_000 + 10_000);

      expect(await sut.latest('lobby', 50)).toEqual([]);
      expect(await sut.before('lobby', ids[1], 50)).toEqual([]);
    });

    it('does not recover a `since` from before the expiry, though the room was written again', async () => {
      ({ sut } = await createStore({ HISTORY_TTL_MS: '10000' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      const ids = await fill(sut, 'lobby', 2);
      vi.setSystemTime(1_000_000 + 10_000);
      await append(sut, [roomSend('lobby', 'after the expiry')]);

      const recovery = await sut.after('lobby', ids[1], { max: 300, fallback: 50 });

      expect(recovery.recovered).toBe(false);
      expect(textsOf(recovery.messages)).toEqual(['after the expiry']);
    });

    it('frees expired logs nobody reads on the next append to any room', async () => {
      ({ sut } = await createStore({ HISTORY_TTL_MS: '10000' }));
      vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
      for (let i = 0; i < 50; i += 1) await fill(sut, `room-${i}`, 1);
      vi.setSystemTime(1_000_000 + 10_000);

      await fill(sut, 'lobby', 1);

      expect(logsHeld(sut)).toBe(1);
    });

    it('frees expired logs on a timer when no append comes', async () => {
      ({ sut } = await createStore({ HISTORY_TTL_MS: '10000' }));
      vi.useFakeTimers({ now: 1_000_000 });
      sut.onModuleInit();
      for (let i = 0; i < 50; i += 1) await fill(sut, `room-${i}`, 1);

      await vi.advanceTimersByTimeAsync(20_000);
      sut.onApplicationShutdown();

      expect(logsHeld(sut)).toBe(0);
    });
  });

  describe('isAfter', () => {
    it('orders ids of another epoch after ours, so that live frames are delivered rather than dropped', async () => {
      const { sut: other } = await createStore();
      const [foreign] = await fill(other, 'lobby', 1);
      const [ours] = await fill(sut, 'lobby', 1);

      expect(sut.isAfter(foreign, ours)).toBe(true);
    });

    it('says an earlier id is not after a later one', async () => {
      const ids = await fill(sut, 'lobby', 2);

      expect(sut.isAfter(ids[0], ids[1])).toBe(false);
    });
  });
});
