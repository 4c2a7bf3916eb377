import type { IncomingMessage } from 'node:http';
import { HandshakeAuthenticator } from '../src/auth/handshake-authenticator.js';
import type { Identity } from '../src/auth/identity.js';
import { readMetric } from './utils/metrics.js';
import { rawExchange, upgradeRequest } from './utils/raw-http.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { TestClient, UpgradeRefused } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

/** Every limit out of the way; each test lowers the one it is about. */
const ROOMY: TestEnv = {
  MAX_CONNECTIONS: '100',
  MAX_CONNECTIONS_PER_IP: '100',
  MAX_CONNECTIONS_PER_USER: '100',
  CONNECTION_RATE_PER_SECOND: '10000',
  MAX_PENDING_HANDSHAKES: '100',
};

describe('connection limits at the upgrade', () => {
  let sut: TestApp;
  const extra: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((client) => client.close()));
    await sut.close();
  });

  const connect = (uid: string, headers?: Record<string, string>): Promise<TestClient> =>
    sut.connect(asUser(uid, { headers }));

  /** The refusal of an upgrade that must be refused. */
  async function refusal(uid: string, headers?: Record<string, string>): Promise<UpgradeRefused> {
    const error: unknown = await connect(uid, headers).then(
      (client) => client,
      (reason: unknown) => reason,
    );
    if (error instanceof TestClient) {
      extra.push(error);
      throw new Error(`the upgrade of ${uid} was accepted`);
    }
    expect(error).toBeInstanceOf(UpgradeRefused);
    return error as UpgradeRefused;
  }

  const refusedTotal = (reason: string): Promise<number> =>
    readMetric(sut.httpUrl, 'switchboard_upgrades_refused_total', { reason });

  /** Waits until the node holds `count` sockets (a closed socket's counts are back by then). */
  const holding = (count: number): Promise<void> =>
    waitFor(
      async () => (await readMetric(sut.httpUrl, 'switchboard_connections')) === count,
      `${count} open connections`,
    );

  it('refuses past MAX_CONNECTIONS with 503, counts it, keeps /health/live answering, and takes one again after a close', async () => {
    sut = await startApp({ ...ROOMY, MAX_CONNECTIONS: '2' });
    const first = await connect('a');
    await connect('b');

    const refused = await refusal('c');

    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(await refusedTotal('max_connections')).toBe(1);
    expect((await fetch(`${sut.httpUrl}/health/live`)).status).toBe(200);
    await first.close();
    await holding(1);
    expect((await connect('c')).isOpen).toBe(true);
  });

  it('refuses past MAX_CONNECTIONS_PER_IP with 429, the IP being the last X-Forwarded-For hop with TRUST_PROXY', async () => {
    sut = await startApp({ ...ROOMY, MAX_CONNECTIONS_PER_IP: '2', TRUST_PROXY: 'true' });
    const behind = (ip: string) => ({ 'X-Forwarded-For': `203.0.113.9, ${ip}` });
    await connect('a', behind('10.0.0.1'));
    await connect('b', behind('10.0.0.1'));

    const refused = await refusal('c', behind('10.0.0.1'));

    expect(refused.status).toBe(429);
    expect(await refusedTotal('max_connections_per_ip')).toBe(1);
    // The first hop is whatever the client wrote: only the last one counts.
    expect((await connect('d', behind('10.0.0.2'))).isOpen).toBe(true);
  });

  it('counts the TCP peer when TRUST_PROXY is off, whatever X-Forwarded-For says', async () => {
    sut = await startApp({ ...ROOMY, MAX_CONNECTIONS_PER_IP: '1' });
    await connect('a', { 'X-Forwarded-For': '10.0.0.1' });

    expect((await refusal('b', { 'X-Forwarded-For': '10.0.0.2' })).status).toBe(429);
  });

  it('refuses past MAX_CONNECTIONS_PER_USER with 429 and gives the IP count back', async () => {
    sut = await startApp({ ...ROOMY, MAX_CONNECTIONS_PER_USER: '2', MAX_CONNECTIONS_PER_IP: '3' });
    const first = await connect('alice');
    await connect('alice');

    const refused = await refusal('alice');

    expect(refused.status).toBe(429);
    expect(await refusedTotal('max_connections_per_user')).toBe(1);
    // The refused upgrade held the IP's third place only while it was verified.
    expect((await connect('bob')).isOpen).toBe(true);
    await first.close();
    await holding(2);
    expect((await connect('alice')).isOpen).toBe(true);
  });

  it('refuses past CONNECTION_RATE_PER_SECOND with 503 and a Retry-After', async () => {
    sut = await startApp({ ...ROOMY, CONNECTION_RATE_PER_SECOND: '3' });
    await Promise.all(['a', 'b', 'c'].map((uid) => connect(uid)));

    const refused = await refusal('d');

    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(await refusedTotal('connection_rate')).toBe(1);
  });

  describe('MAX_PENDING_HANDSHAKES=1, with an authenticator held until let through', () => {
    let letThrough: () => void;
    let entered: Promise<void>;

    beforeEach(async () => {
      const held = new Promise<void>((resolve) => (letThrough = resolve));
      let enter: () => void;
      entered = new Promise<void>((resolve) => (enter = resolve));
      class HeldAuthenticator extends HandshakeAuthenticator {
        override async authenticate(request: IncomingMessage): Promise<Identity> {
          enter();
          await held;
          return super.authenticate(request);
        }
      }
      sut = await startApp({ ...ROOMY, MAX_PENDING_HANDSHAKES: '1' }, (builder) =>
        builder.overrideProvider(HandshakeAuthenticator).useClass(HeldAuthenticator),
      );
    });

    it('refuses an upgrade while another is being verified with 503 and a Retry-After', async () => {
      const first = connect('a');
      await entered;

      const refused = await refusal('b');

      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(await refusedTotal('pending_handshakes')).toBe(1);
      letThrough();
      expect((await first).isOpen).toBe(true);
    });
  });

  it('gives every count back when sockets close or handshakes fail: the full quota is free again', async () => {
    sut = await startApp({
      ...ROOMY,
      MAX_CONNECTIONS: '3',
      MAX_CONNECTIONS_PER_IP: '3',
      MAX_CONNECTIONS_PER_USER: '2',
      ALLOWED_ORIGINS: 'https://ok',
    });
    const origin = { Origin: 'https://ok' };
    const fill = () => Promise.all(['a', 'a', 'b'].map((uid) => connect(uid, origin)));
    for (let round = 0; round < 3; round += 1) {
      const clients = await fill();
      expect((await refusal('c', origin)).status).toBe(503);
      await clients[2].close();
      await holding(2);
      // Admitted by the gate, then refused: by the Origin check, and by the user limit.
      expect((await refusal('c', { Origin: 'https://evil' })).status).toBe(403);
      expect((await refusal('a', origin)).status).toBe(429);
      await Promise.all(clients.map((client) => client.close()));
      await holding(0);
    }

    expect((await fill()).every((client) => client.isOpen)).toBe(true);
  });
});

describe('handshake edges', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp({ HANDSHAKE_TIMEOUT_MS: '500' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('refuses an HTTP/1.0 upgrade with 400', async () => {
    const { response } = await rawExchange(sut.port, upgradeRequest('/', '1.0'));

    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('answers an upgrade on another path with 404 and a status line', async () => {
    const { response } = await rawExchange(sut.port, upgradeRequest('/elsewhere'));

    expect(response).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('answers an unparsable URL with a well-formed 400', async () => {
    const { response } = await rawExchange(sut.port, upgradeRequest('//[/'));

    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n(?:[\w-]+: [^\r\n]*\r\n)+\r\n/);
  });

  it('still upgrades a well-formed HTTP/1.1 request on /', async () => {
    const { response, closedAfterMs } = await rawExchange(
      sut.port,
      upgradeRequest('/?uid=raw'),
      300,
    );

    expect(response).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(closedAfterMs).toBeUndefined();
  });

  it('disconnects a client that sends half a request after HANDSHAKE_TIMEOUT_MS', async () => {
    const half = upgradeRequest('/').slice(0, 40);

    const { response, closedAfterMs } = await rawExchange(sut.port, half, 3000);

    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(closedAfterMs).toBeLessThan(1500);
  });
});
