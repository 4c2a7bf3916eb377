import { apiKey, apiKeysEnv, type TestApiKey } from './utils/api-keys.js';
import { readyStatus } from './utils/readiness.js';
import { deletePrefix, keysWithTtl, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { RedisServer } from './utils/redis-server.js';
import { startApp, startNodes, type TestApp } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.mjs';

const PROBLEM = /^application\/problem\+json/;

/** GET of a room's info with `key`, bounded so that a request that hangs fails the test. */
function roomInfo(node: TestApp, key: TestApiKey, timeoutMs = 5000): Promise<Response> {
  return fetch(`${node.httpUrl}/api/v1/rooms/ops`, {
    headers: key.bearer,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

describe("the server HTTP API's rate limit on two nodes sharing Redis", () => {
  const prefix = uniquePrefix('api-rate');
  const busy = apiKey('busy');
  const quiet = apiKey('quiet');
  let nodes: TestApp[];

  beforeEach(async () => {
    nodes = await startNodes(2, {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      ...apiKeysEnv(busy, quiet),
      SERVER_API_RATE_PER_SECOND: '1',
      SERVER_API_RATE_BURST: '4',
    });
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await deletePrefix(prefix);
  });

  it("takes every node's requests from one bucket per key: the burst across both, then 429 on either, until it refills", async () => {
    const [a, b] = nodes;
    const burst = [];
    for (const node of [a, b, a, b]) burst.push((await roomInfo(node, busy)).status);

    expect(burst).toEqual([200, 200, 200, 200]);
    for (const node of [a, b]) {
      const refused = await roomInfo(node, busy);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toMatch(PROBLEM);
      expect(await refused.json()).toMatchObject({
        code: 'rate_limited',
        status: 429,
        title: 'Too Many Requests',
        retryAfterMs: expect.any(Number),
      });
    }
    expect((await roomInfo(b, quiet)).status).toBe(200);

    const refused = await roomInfo(a, busy);
    const { retryAfterMs } = (await refused.json()) as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 20));
    expect((await roomInfo(b, busy)).status).toBe(200);
  });

  it("leaves each key's bucket to expire: no key outlives the time the bucket takes to be full again", async () => {
    await roomInfo(nodes[0], busy);

    const ttls = await keysWithTtl(prefix);

    // One token taken at 1 a second: full again, and gone, within a second.
    expect([...ttls.keys()].filter((key) => key.startsWith('api-rate:'))).toEqual([
      'api-rate:busy',
    ]);
    expect(ttls.get('api-rate:busy')).toBeGreaterThan(0);
    expect(ttls.get('api-rate:busy')).toBeLessThanOrEqual(1000);
  });
});

describe("the server HTTP API's rate limit while Redis is out", () => {
  const key = apiKey('outage');
  let redis: RedisServer;
  let sut: TestApp;

  beforeEach(async () => {
    redis = await RedisServer.start();
    sut = await startApp({ REDIS_URL: redis.url, LOG_LEVEL: 'error', ...apiKeysEnv(key) });
    await waitFor(async () => (await readyStatus(sut.httpUrl)) === 200, 'the node to be ready');
  });

  afterEach(async () => {
    redis.thaw();
    await sut.close();
    await redis.kill();
  });

  /** Asserts that a request answers 503 `unavailable` problem details within `withinMs`. */
  async function expectPromptUnavailable(withinMs: number): Promise<void> {
    const started = Date.now();
    const response = await roomInfo(sut, key, withinMs + 2000);

    expect(Date.now() - started).toBeLessThan(withinMs);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(PROBLEM);
    expect(await response.json()).toMatchObject({
      code: 'unavailable',
      status: 503,
      title: 'Service Unavailable',
    });
  }

  it('fails closed with 503 problem details at once when Redis is down, and the node stays up and recovers', async () => {
    expect((await roomInfo(sut, key)).status).toBe(200);

    await redis.kill();
    await expectPromptUnavailable(1000);
    await expectPromptUnavailable(1000);

    await redis.restart();
    await waitFor(async () => (await roomInfo(sut, key)).status === 200, 'the API to answer again');
  });

  it('answers 503 within about a second when Redis stops answering without closing, rather than hang', async () => {
    expect((await roomInfo(sut, key)).status).toBe(200);

    redis.freeze();
    await expectPromptUnavailable(2500);

    redis.thaw();
    await waitFor(async () => (await roomInfo(sut, key)).status === 200, 'the API to answer again');
  });
});
