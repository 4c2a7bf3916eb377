import { readMetric } from './utils/metrics.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';

function cacheCount(app: TestApp, result: 'hit' | 'miss'): Promise<number> {
  return readMetric(app.httpUrl, 'switchboard_cache_requests_total', {
    cache: 'recent_history',
    result,
  });
}

describe.each([
  ['memory', () => ({})],
  ['redis', () => ({ REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix('cache') })],
] as Array<[string, () => TestEnv]>)('recent-history cache (%s engine)', (_engine, env) => {
  let sut: TestApp;
  let config: TestEnv;

  beforeEach(async () => {
    config = env();
    sut = await startApp(config);
  });

  afterEach(async () => {
    await sut.close();
    if (config.REDIS_KEY_PREFIX) await deletePrefix(config.REDIS_KEY_PREFIX);
  });

  it('serves a burst of joins to a hot room from one store read', async () => {
    const host = await sut.connect({ query: { uid: 'host' } });
    await host.request('join', { room: 'hot' });
    for (let i = 0; i < 3; i += 1) await host.request('message', { room: 'hot', text: `m${i}` });
    const missesBefore = await cacheCount(sut, 'miss');

    const crowd = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sut.connect({ query: { uid: `c${i}` } })),
    );
    const joins = await Promise.all(crowd.map((client) => client.request('join', { room: 'hot' })));
    const later = await sut.connect({ query: { uid: 'late' } });
    const lateJoin = await later.request('join', { room: 'hot' });

    for (const joined of [...joins, lateJoin]) {
      expect(joined.data.messages.map((m: { text: string }) => m.text)).toEqual(['m0', 'm1', 'm2']);
    }
    expect((await cacheCount(sut, 'miss')) - missesBefore).toBeLessThanOrEqual(1);
    expect(await cacheCount(sut, 'hit')).toBeGreaterThanOrEqual(1);
  });

  it('never serves a snapshot older than the room after a write', async () => {
    const host = await sut.connect({ query: { uid: 'host' } });
    await host.request('join', { room: 'fresh' });
    await host.request('message', { room: 'fresh', text: 'first' });
    const early = await sut.connect({ query: { uid: 'early' } });
    await early.request('join', { room: 'fresh' });

    await host.request('message', { room: 'fresh', text: 'second' });
    const late = await sut.connect({ query: { uid: 'late' } });
    const joined = await late.request('join', { room: 'fresh' });

    expect(joined.data.messages.map((m: { text: string }) => m.text)).toEqual(['first', 'second']);
  });
});
