import { createClient } from 'redis';
import { ConnectionRegistry } from '../src/transport/connection-registry.js';
import { deletePrefix, keysWithTtl, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.mjs';

/** The schema's minimum: history expires one second after a room's last message. */
const SHORT_TTL: TestEnv = { HISTORY_TTL_MS: '1000' };

const texts = (messages: { text: string }[]): string[] => messages.map((m) => m.text);

describe.each([
  ['memory', () => ({})],
  ['redis', () => ({ REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix('expiry') })],
] as Array<[string, () => TestEnv]>)('history expiry (%s engine)', (_engine, engineEnv) => {
  let sut: TestApp;
  let env: TestEnv;

  afterEach(async () => {
    await sut.close();
    if (env.REDIS_KEY_PREFIX) await deletePrefix(env.REDIS_KEY_PREFIX);
  });

  /** Waits out a room's HISTORY_TTL_MS: Redis expires its keys on its own clock, a little later at worst. */
  async function waitForExpiry(room: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const prefix = env.REDIS_KEY_PREFIX;
    if (!prefix) return;
    await waitFor(
      async () => !(await keysWithTtl(prefix)).has(`log:${room}`),
      'the stream to expire',
    );
  }

  it('gives a `since` from before the expiry `recovered: false`, even once the room is written again', async () => {
    sut = await startApp({ ...(env = engineEnv()), ...SHORT_TTL });
    const alice = await sut.connect({ query: { uid: 'alice' } });
    await alice.request('join', { room: 'quiet' });
    const old = await alice.request('message', { room: 'quiet', text: 'before' });
    await waitForExpiry('quiet');

    const empty = await alice.request('join', { room: 'quiet', since: old.data.id });
    await alice.request('message', { room: 'quiet', text: 'after' });
    const rewritten = await alice.request('join', { room: 'quiet', since: old.data.id });

    expect(empty.data).toMatchObject({ messages: [], recovered: false });
    expect(rewritten.data.recovered).toBe(false);
    expect(texts(rewritten.data.messages)).toEqual(['after']);
  });

  it('does not serve a cached snapshot of a room whose history expired', async () => {
    sut = await startApp({ ...(env = engineEnv()), ...SHORT_TTL, HISTORY_CACHE_TTL_MS: '60000' });
    const host = await sut.connect({ query: { uid: 'host' } });
    await host.request('join', { room: 'stale' });
    await host.request('message', { room: 'stale', text: 'old news' });
    const early = await sut.connect({ query: { uid: 'early' } });
    const cached = await early.request('join', { room: 'stale' });
    await waitForExpiry('stale');

    const late = await sut.connect({ query: { uid: 'late' } });
    const joined = await late.request('join', { room: 'stale' });

    expect(texts(cached.data.messages)).toEqual(['old news']);
    expect(joined.data.messages).toEqual([]);
  });
});

describe('Redis keys expire or stay bounded', () => {
  let sut: TestApp;
  let prefix: string;

  beforeEach(() => {
    prefix = uniquePrefix('expiry');
  });

  afterEach(async () => {
    await sut.close();
    await deletePrefix(prefix);
  });

  it('leaves no key without a TTL but the live node registry once sockets close, each TTL within its bound', async () => {
    const env: TestEnv = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      HISTORY_TTL_MS: '600000',
      DEDUPE_TTL_MS: '300000',
      HISTORY_CACHE_TTL_MS: '20000',
      NODE_TTL_MS: '40000',
    };
    sut = await startApp(env);
    const alice = await sut.connect({ query: { uid: 'alice' } });
    await alice.request('join', { room: 'ops' });
    await alice.request('message', { room: 'ops', text: 'hi', clientMsgId: 'c1' });
    await alice.request('dm', { to: 'made-up-user', text: 'psst', clientMsgId: 'c2' });
    const reader = await sut.connect({ query: { uid: 'reader' } });
    await reader.request('join', { room: 'ops' });
    await alice.close();
    await reader.close();
    await waitFor(
      async () => ![...(await keysWithTtl(prefix)).keys()].some((k) => k.startsWith('presence:')),
      'presence to be left',
    );

    const keys = await keysWithTtl(prefix);

    const bounds: Array<[RegExp, number]> = [
      [/^(log|epoch):ops$/, 600000],
      [/^dm:/, 600000],
      [/^epoch-dm$/, 600000],
      [/^dedupe:/, 300000],
      [/^rate:/, 2000],
      [/^cache/, 20000],
      [/^node:/, 40000],
    ];
    const withoutTtl = [...keys].filter(([, ttl]) => ttl < 0).map(([key]) => key);
    expect(withoutTtl).toEqual(['nodes']);
    for (const [key, ttl] of keys) {
      if (key === 'nodes') continue;
      const bound = bounds.find(([pattern]) => pattern.test(key));
      expect(bound, `a TTL bound for ${key}`).toBeDefined();
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(bound![1]);
    }
    for (const pattern of bounds.slice(0, 4).map(([p]) => p)) {
      expect(
        [...keys.keys()].some((key) => pattern.test(key)),
        String(pattern),
      ).toBe(true);
    }
  });

  it('drops a room stream, its epoch and the DM streams after HISTORY_TTL_MS without a message', async () => {
    sut = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix, ...SHORT_TTL });
    const alice = await sut.connect({ query: { uid: 'alice' } });
    await alice.request('join', { room: 'quiet' });
    await alice.request('message', { room: 'quiet', text: 'hello' });
    await alice.request('dm', { to: 'bob', text: 'psst' });
    const history = (key: string) => /^(log|epoch|dm|epoch-dm)\b/.test(key);
    expect([...(await keysWithTtl(prefix)).keys()].filter(history)).toHaveLength(4);

    await waitFor(
      async () => ![...(await keysWithTtl(prefix)).keys()].some(history),
      'the history keys to expire',
      3000,
    );
  });

  it('keeps in a node’s room set only the rooms it has sockets in', async () => {
    sut = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const alice = await sut.connect({ query: { uid: 'alice' } });
    for (const room of ['a', 'b', 'c']) await alice.request('join', { room });
    await alice.request('leave', { room: 'a' });
    await alice.request('leave', { room: 'b' });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();

    try {
      const nodeId = sut.app.get(ConnectionRegistry).nodeId;
      const rooms = await redis.sMembers(`${prefix}node-rooms:${nodeId}`);
      expect(rooms.sort()).toEqual(['c', 'lobby']);
    } finally {
      redis.destroy();
    }
  });

  it('does not recover an id older than the stream it names, though the epoch matches', async () => {
    sut = await startApp({ REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const alice = await sut.connect({ query: { uid: 'alice' } });
    await alice.request('join', { room: 'reborn' });
    const old = await alice.request('message', { room: 'reborn', text: 'before' });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      // A stream that expired and came back under an epoch that happened to be drawn again.
      await redis.del(`${prefix}log:reborn`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await redis.xAdd(`${prefix}log:reborn`, '*', {
        f: '{"id":"bob","name":"bob"}',
        t: 'after',
        ts: '1',
      });
    } finally {
      redis.destroy();
    }

    const joined = await alice.request('join', { room: 'reborn', since: old.data.id });

    expect(joined.data.recovered).toBe(false);
    expect(texts(joined.data.messages)).toEqual(['after']);
  });
});
