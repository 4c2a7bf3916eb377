import { Test } from '@nestjs/testing';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ChatException } from '../chat.exception.js';
import { appConfig, parseEnvironment } from '../../config/app-config.js';
import type { ChatMessage } from '../../protocol/chat.events.js';
import { MessageStore, type PendingSend, type StoredSend } from '../../engine/message-store.js';
import type { SendRefusal } from '../../engine/send-refusal.js';
import { ChatMetrics } from '../../observability/chat-metrics.js';
import { WriteQueue } from './write-queue.js';

type Result = StoredSend | SendRefusal;

/** A store that records each `append` call; it answers at once unless `hold` is set, and fails when `failure` is set. */
class FakeStore extends MessageStore {
  async earlierSend(): Promise<undefined> {
    return undefined;
  }
  readonly batches: PendingSend[][] = [];
  hold = false;
  failure: Error | undefined;
  /** Per-send answers by text, instead of storing it. */
  readonly refusals = new Map<string, SendRefusal>();
  private readonly held: Array<() => void> = [];
  private sequence = 0;

  append(batch: readonly PendingSend[]): Promise<Result[]> {
    this.batches.push([...batch]);
    const answer = () => {
      if (this.failure) throw this.failure;
      return batch.map((send) => this.refusals.get(send.text) ?? this.store(send));
    };
    if (!this.hold) return Promise.resolve().then(answer);
    return new Promise((resolve, reject) =>
      this.held.push(() => {
        try {
          resolve(answer());
        } catch (error) {
          reject(error);
        }
      }),
    );
  }

  /** Answers the oldest held `append` call. */
  release(): void {
    this.held.shift()?.();
  }

  async latest(): Promise<ChatMessage[]> {
    return [];
  }
  async after(): Promise<{ messages: ChatMessage[]; recovered: boolean }> {
    return { messages: [], recovered: false };
  }
  async before(): Promise<ChatMessage[]> {
    return [];
  }
  async between(): Promise<ChatMessage[]> {
    return [];
  }
  isAfter(): boolean {
    return true;
  }
  async isReady(): Promise<boolean> {
    return true;
  }

  private store(send: PendingSend): StoredSend {
    this.sequence += 1;
    if (send.kind !== 'room') throw new Error('the fake stores room messages only');
    const message = {
      id: `m${this.sequence}`,
      room: send.room,
      from: send.from,
      text: send.text,
      ts: 1,
    };
    return { kind: 'room', message, duplicate: false };
  }
}

function send(text: string): PendingSend {
  return { kind: 'room', room: 'lobby', from: { id: 'u-1', name: 'alice' }, text, origin: 'c1' };
}

/** Resolves after every callback already scheduled for this turn of the event loop (the queue's drain). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What a promise settled with, without failing the test on a rejection. */
function settled<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('WriteQueue', () => {
  let store: FakeStore;
  let sut: WriteQueue;
  let metrics: ChatMetrics;

  async function createQueue(env: Record<string, string> = {}): Promise<WriteQueue> {
    store = new FakeStore();
    const moduleRef = await Test.createTestingModule({
      providers: [
        WriteQueue,
        ChatMetrics,
        { provide: appConfig.KEY, useValue: parseEnvironment(env) },
        { provide: MessageStore, useValue: store },
      ],
    }).compile();
    metrics = moduleRef.get(ChatMetrics);
    return moduleRef.get(WriteQueue);
  }

  async function scrapedDepth(): Promise<number> {
    return (await metrics.queueDepth.gauge.get()).values[0]?.value ?? Number.NaN;
  }

  beforeEach(async () => {
    sut = await createQueue();
  });

  it('hands everything enqueued in one turn to the store as one append call, in order', async () => {
    await Promise.all([sut.enqueue(send('a')), sut.enqueue(send('b')), sut.enqueue(send('c'))]);

    expect(store.batches.map((batch) => batch.map((pending) => pending.text))).toEqual([
      ['a', 'b', 'c'],
    ]);
  });

  it('reports what waits to switchboard_queue_depth when scraped', async () => {
    store.hold = true;
    const sends = [sut.enqueue(send('a')), sut.enqueue(send('b'))];

    expect(await scrapedDepth()).toBe(2);
    await nextTurn();
    store.release();
    await Promise.all(sends);

    expect(await scrapedDepth()).toBe(0);
  });

  it('resolves each send with its own stored message', async () => {
    const [a, b] = await Promise.all([sut.enqueue(send('a')), sut.enqueue(send('b'))]);

    expect(a.message.text).toBe('a');
    expect(b.message.text).toBe('b');
  });

  it('does not resolve a send before the store has accepted it', async () => {
    store.hold = true;
    let resolved = false;
    const pending = sut.enqueue(send('a')).then(() => (resolved = true));
    await nextTurn();

    expect(resolved).toBe(false);
    store.release();
    await pending;
    expect(resolved).toBe(true);
  });

  it('stores sends of a later turn in a later batch, only once the earlier batch is stored', async () => {
    store.hold = true;
    const first = Promise.all([sut.enqueue(send('a')), sut.enqueue(send('b'))]);
    await nextTurn();
    const second = sut.enqueue(send('c'));
    await nextTurn();

    expect(store.batches).toHaveLength(1);
    store.release();
    await first;
    await nextTurn();
    expect(store.batches.map((batch) => batch.map((pending) => pending.text))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
    store.release();
    await second;
  });

  it('sends the writes of every turn that passed while a batch was with the store as one batch (group commit)', async () => {
    store.hold = true;
    const first = sut.enqueue(send('a'));
    await nextTurn();
    const later = [sut.enqueue(send('b'))];
    await nextTurn();
    later.push(sut.enqueue(send('c')));
    await nextTurn();
    later.push(sut.enqueue(send('d')));
    await nextTurn();

    expect(store.batches).toHaveLength(1);
    store.release();
    await first;
    await vi.waitFor(() => expect(store.batches).toHaveLength(2));
    store.release();
    await Promise.all(later);
    expect(store.batches.map((batch) => batch.map((pending) => pending.text))).toEqual([
      ['a'],
      ['b', 'c', 'd'],
    ]);
  });

  it('caps a batch at 1000 writes, the rest going as the next batch', async () => {
    store.hold = true;
    const first = sut.enqueue(send('first'));
    await nextTurn();
    const waiting = Array.from({ length: 1500 }, (_, i) => sut.enqueue(send(`w${i}`)));
    await nextTurn();
    store.release();
    await first;
    await vi.waitFor(() => expect(store.batches).toHaveLength(2));
    store.release();
    await vi.waitFor(() => expect(store.batches).toHaveLength(3));
    store.release();
    await Promise.all(waiting);

    expect(store.batches.map((batch) => batch.length)).toEqual([1, 1000, 500]);
    expect(store.batches[2][0].text).toBe('w1000');
  });

  it('stores what waited behind a batch in flight on flush, before resolving', async () => {
    store.hold = true;
    const first = sut.enqueue(send('a'));
    await nextTurn();
    const second = sut.enqueue(send('b'));
    let flushed = false;
    const flushing = sut.flush().then(() => (flushed = true));

    store.release();
    await first;
    await vi.waitFor(() => expect(store.batches).toHaveLength(2));
    expect(flushed).toBe(false);
    store.release();
    await Promise.all([second, flushing]);
    expect(store.batches.map((batch) => batch.map((pending) => pending.text))).toEqual([
      ['a'],
      ['b'],
    ]);
  });

  it('rejects every send of a batch with `unavailable` when the store fails', async () => {
    store.failure = new Error('connection refused');

    const results = await Promise.all([
      settled(sut.enqueue(send('a'))),
      settled(sut.enqueue(send('b'))),
    ]);

    for (const { error } of results) {
      expect(error).toBeInstanceOf(ChatException);
      expect((error as ChatException).code).toBe(ChatErrorCode.Unavailable);
    }
  });

  it('does not leak the store failure to the client', async () => {
    store.failure = new Error('ECONNREFUSED 10.0.0.7:6379');

    const { error } = await settled(sut.enqueue(send('a')));

    expect((error as Error).message).not.toContain('10.0.0.7');
  });

  it('stores the next batch normally after a failed one', async () => {
    store.failure = new Error('connection refused');
    await settled(sut.enqueue(send('a')));
    store.failure = undefined;

    await expect(sut.enqueue(send('b'))).resolves.toMatchObject({ message: { text: 'b' } });
  });

  it('rejects only the send the store refused, as `rate_limited` with its wait, resolving the others', async () => {
    store.refusals.set('b', { refused: 'rate_limited', retryAfterMs: 400 });

    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((text) => settled(sut.enqueue(send(text)))),
    );

    expect(a.value?.message.text).toBe('a');
    expect(b.error).toBeInstanceOf(ChatException);
    expect(b.error).toMatchObject({
      code: ChatErrorCode.RateLimited,
      message: 'user rate limit exceeded',
      details: { retryAfterMs: 400 },
    });
    expect(c.value?.message.text).toBe('c');
  });

  it('rejects a change the store refused as `not_found` or `forbidden` with the store’s reason', async () => {
    store.refusals.set('a', { refused: 'not_found' });
    store.refusals.set('b', { refused: 'forbidden', reason: 'message deleted' });

    const [a, b] = await Promise.all(['a', 'b'].map((text) => settled(sut.enqueue(send(text)))));

    expect(a.error).toMatchObject({ code: ChatErrorCode.NotFound });
    expect(b.error).toMatchObject({ code: ChatErrorCode.Forbidden, message: 'message deleted' });
  });

  it('refuses a send past MAX_QUEUE_DEPTH with `unavailable`, without handing it to the store', async () => {
    sut = await createQueue({ MAX_QUEUE_DEPTH: '2' });

    const results = await Promise.all(
      ['a', 'b', 'c'].map((text) => settled(sut.enqueue(send(text)))),
    );

    expect(results[2].error).toBeInstanceOf(ChatException);
    expect((results[2].error as ChatException).code).toBe(ChatErrorCode.Unavailable);
    expect(store.batches.flat().map((pending) => pending.text)).toEqual(['a', 'b']);
  });

  it('takes sends again once the queue has drained below MAX_QUEUE_DEPTH', async () => {
    sut = await createQueue({ MAX_QUEUE_DEPTH: '1' });
    await sut.enqueue(send('a'));

    await expect(sut.enqueue(send('b'))).resolves.toMatchObject({ message: { text: 'b' } });
  });

  it('takes sends again after a failed batch freed the queue', async () => {
    sut = await createQueue({ MAX_QUEUE_DEPTH: '1' });
    store.failure = new Error('connection refused');
    await settled(sut.enqueue(send('a')));
    store.failure = undefined;

    await expect(sut.enqueue(send('b'))).resolves.toMatchObject({ message: { text: 'b' } });
  });

  it('stores what is queued at once on flush, without waiting for the next turn', async () => {
    const pending = sut.enqueue(send('a'));

    await sut.flush();

    expect(store.batches).toHaveLength(1);
    await expect(pending).resolves.toMatchObject({ message: { text: 'a' } });
  });

  it('resolves flush only once the batch in flight is stored', async () => {
    store.hold = true;
    const pending = sut.enqueue(send('a'));
    let flushed = false;
    const flushing = sut.flush().then(() => (flushed = true));
    await nextTurn();

    expect(flushed).toBe(false);
    store.release();
    await flushing;
    await expect(pending).resolves.toMatchObject({ message: { text: 'a' } });
  });
});
