import { freePort } from './utils/free-port.mjs';
import { readMetric } from './utils/metrics.js';
import { Nginx } from './utils/nginx.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { TestClient, UpgradeRefused } from './utils/test-client.js';
import { asUser } from './utils/users.js';

/** Swaps one directive of the shipped config, failing loudly if the config no longer has it. */
function swap(from: string, to: string): (config: string) => string {
  return (config) => {
    if (!config.includes(from)) throw new Error(`deploy/nginx.conf no longer has "${from}"`);
    return config.replace(from, to);
  };
}

describe('the per-IP limits of deploy/nginx.conf', () => {
  let sut: TestApp;
  let nginx: Nginx | undefined;
  const opened: TestClient[] = [];

  beforeEach(async () => {
    sut = await startApp();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((client) => client.close()));
    await nginx?.stop();
    nginx = undefined;
    await sut.close();
  });

  async function connect(uid: string): Promise<TestClient> {
    const client = await TestClient.connect(nginx!.wsUrl, asUser(uid));
    opened.push(client);
    return client;
  }

  /** The status nginx answered an upgrade with. */
  const refusedStatus = (uid: string): Promise<number> =>
    connect(uid).then(
      () => 101,
      (error: unknown) => (error instanceof UpgradeRefused ? error.status : -1),
    );

  it('refuses a socket past limit_conn per IP with 429, and never bothers the node with it', async () => {
    nginx = await Nginx.start(
      await freePort(),
      [sut.port],
      swap('limit_conn per_ip 200;', 'limit_conn per_ip 3;'),
    );
    await Promise.all(['a', 'b', 'c'].map((uid) => connect(uid)));

    expect(await refusedStatus('d')).toBe(429);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(3);
    await opened[0].close();
    await expect.poll(() => refusedStatus('d')).toBe(101);
  });

  it('refuses upgrades past limit_req per IP with 429, while plain HTTP has its own budget', async () => {
    nginx = await Nginx.start(await freePort(), [sut.port], swap('rate=5r/s;', 'rate=1r/m;'));
    // The one the rate allows and the burst of 10 are served at once; the next waits a minute.
    for (let i = 0; i < 11; i += 1) await connect(`u${i}`);

    expect(await refusedStatus('late')).toBe(429);
    expect((await fetch(`http://127.0.0.1:${nginx.port}/health/live`)).status).toBe(200);
  });
});
