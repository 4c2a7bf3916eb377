import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { ServerProcess } from './utils/server-process.js';
import { appPerTest } from './utils/test-app.js';
import { secondsFromNow, signToken } from './utils/jwt.js';
import { freePort } from './utils/free-port.mjs';
import { readMetric } from './utils/metrics.js';
import { rawExchange, upgradeRequest } from './utils/raw-http.js';
import { TestClient, UpgradeRefused, type ConnectOptions } from './utils/test-client.js';

const SECRET = 'e2e-secret-that-is-at-least-32-bytes-long';
const TIMEOUT_MS = 5000;

function bearer(token: string): ConnectOptions {
  return { headers: { Authorization: `Bearer ${token}` }, timeoutMs: TIMEOUT_MS };
}

function query(token: string): ConnectOptions {
  return { query: { access_token: token }, timeoutMs: TIMEOUT_MS };
}

/** The token offered in `Sec-WebSocket-Protocol`, as the SDK and a browser offer it. */
function subprotocol(token: string): ConnectOptions {
  return { protocols: ['switchboard', `switchboard.bearer.${token}`], timeoutMs: TIMEOUT_MS };
}

/** The refusal of an upgrade that must not open a socket. */
async function refusalOf(connecting: Promise<TestClient>): Promise<UpgradeRefused> {
  const outcome = await connecting.then(
    async (client) => {
      await client.close();
      return new Error('the upgrade was accepted');
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(UpgradeRefused);
  return outcome as UpgradeRefused;
}

describe('auth with JWT_SECRET (HS256)', () => {
  const sut = appPerTest({ JWT_SECRET: SECRET });

  it('admits a token in Authorization: Bearer', async () => {
    const client = await sut.connect(bearer(await signToken({ sub: 'u-alice' }, SECRET)));

    expect(client.isOpen).toBe(true);
  });

  it('admits a token in ?access_token=', async () => {
    const client = await sut.connect(query(await signToken({ sub: 'u-alice' }, SECRET)));

    expect(client.isOpen).toBe(true);
  });

  it('admits a token offered as the switchboard.bearer.<jwt> subprotocol, as its sub', async () => {
    const alice = await sut.connect(
      subprotocol(await signToken({ sub: 'u-alice', name: 'Alice' }, SECRET)),
    );
    const bob = await sut.connect(bearer(await signToken({ sub: 'u-bob' }, SECRET)));

    await alice.request('message', { room: 'lobby', text: 'hi' });

    expect(alice.socket.protocol).toBe('switchboard');
    expect((await bob.next('message')).data.from).toEqual({ id: 'u-alice', name: 'Alice' });
  });

  it('refuses a bad token offered as a subprotocol with HTTP 401 and opens no socket', async () => {
    const token = await signToken({ sub: 'u-alice' }, 'another-secret-of-at-least-32-bytes!');

    const refusal = await refusalOf(sut.connect(subprotocol(token)));

    expect(refusal.status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('answers the switchboard subprotocol and never echoes the token, whichever is offered first', async () => {
    const token = await signToken({ sub: 'u-alice' }, SECRET);
    const offers = [`switchboard.bearer.${token}, switchboard`, `switchboard.bearer.${token}`];

    const [both, tokenOnly] = await Promise.all(
      offers.map((offer) =>
        rawExchange(sut.port, upgradeRequest('/', '1.1', { 'Sec-WebSocket-Protocol': offer }), 500),
      ),
    );

    expect(both.response).toMatch(/^HTTP\/1\.1 101 /);
    expect(both.response).toMatch(/\r\nSec-WebSocket-Protocol: switchboard\r\n/i);
    expect(tokenOnly.response).toMatch(/^HTTP\/1\.1 101 /);
    expect(tokenOnly.response).not.toMatch(/Sec-WebSocket-Protocol/i);
    for (const { response } of [both, tokenOnly]) expect(response).not.toContain(token);
  });

  it("shows others the token's sub and name as the user", async () => {
    const alice = await sut.connect(
      bearer(await signToken({ sub: 'u-alice', name: 'Alice' }, SECRET)),
    );
    const bob = await sut.connect(bearer(await signToken({ sub: 'u-bob', name: 'Bob' }, SECRET)));

    await alice.request('message', { room: 'lobby', text: 'hi' });

    const { data } = await bob.next('message');
    expect(data.from).toEqual({ id: 'u-alice', name: 'Alice' });
  });

  it('ignores ?name= and ?uid= when a token is required', async () => {
    const token = await signToken({ sub: 'u-alice', name: 'Alice' }, SECRET);
    const alice = await sut.connect({
      query: { access_token: token, name: 'Mallory', uid: 'u-mallory' },
      timeoutMs: TIMEOUT_MS,
    });
    const bob = await sut.connect(bearer(await signToken({ sub: 'u-bob' }, SECRET)));

    await alice.request('message', { room: 'lobby', text: 'hi' });

    expect((await bob.next('message')).data.from).toEqual({ id: 'u-alice', name: 'Alice' });
  });

  it('refuses an upgrade without a token with HTTP 401 and opens no socket', async () => {
    const refusal = await refusalOf(sut.connect({ timeoutMs: TIMEOUT_MS }));

    expect(refusal.status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('refuses a token that is not a JWT with HTTP 401 and opens no socket', async () => {
    const refusal = await refusalOf(sut.connect(bearer('not.a.jwt')));

    expect(refusal.status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('refuses a token signed with another secret with HTTP 401 and opens no socket', async () => {
    const token = await signToken({ sub: 'u-alice' }, 'another-secret-of-at-least-32-bytes!');

    const refusal = await refusalOf(sut.connect(query(token)));

    expect(refusal.status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('refuses an expired token with HTTP 401 and opens no socket', async () => {
    const token = await signToken({ sub: 'u-alice' }, SECRET, 'HS256', secondsFromNow(-60));

    const refusal = await refusalOf(sut.connect(bearer(token)));

    expect(refusal.status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('closes an open socket with 4001 "token expired" once its exp passes', async () => {
    const token = await signToken({ sub: 'u-alice' }, SECRET, 'HS256', secondsFromNow(3));
    const client = await sut.connect(bearer(token));

    expect(await client.waitClosed(15_000)).toEqual({ code: 4001, reason: 'token expired' });
  });
});

describe.each(['RS256', 'ES256'])('auth with JWT_PUBLIC_KEY (%s)', (alg) => {
  let privateKey: CryptoKey;
  let publicKeyPem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair(alg);
    privateKey = pair.privateKey;
    publicKeyPem = await exportSPKI(pair.publicKey);
  });

  const sut = appPerTest(() => ({ JWT_PUBLIC_KEY: publicKeyPem }));

  it('admits a token in Authorization: Bearer, as its sub and name', async () => {
    const alice = await sut.connect(
      bearer(await signToken({ sub: 'u-alice', name: 'Alice' }, privateKey, alg)),
    );
    const bob = await sut.connect(bearer(await signToken({ sub: 'u-bob' }, privateKey, alg)));

    await alice.request('message', { room: 'lobby', text: 'hi' });

    expect((await bob.next('message')).data.from).toEqual({ id: 'u-alice', name: 'Alice' });
  });

  it('admits a token in ?access_token=', async () => {
    const client = await sut.connect(query(await signToken({ sub: 'u-alice' }, privateKey, alg)));

    expect(client.isOpen).toBe(true);
  });

  it('refuses an upgrade without a token with HTTP 401', async () => {
    expect((await refusalOf(sut.connect({ timeoutMs: TIMEOUT_MS }))).status).toBe(401);
  });

  it('refuses a token that is not a JWT with HTTP 401', async () => {
    expect((await refusalOf(sut.connect(query('garbage')))).status).toBe(401);
  });

  it('refuses a token signed by another key with HTTP 401 and opens no socket', async () => {
    const other = await generateKeyPair(alg);
    const token = await signToken({ sub: 'u-alice' }, other.privateKey, alg);

    expect((await refusalOf(sut.connect(bearer(token)))).status).toBe(401);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('refuses an HS256 token keyed with the public key text with HTTP 401', async () => {
    const token = await signToken({ sub: 'u-alice' }, publicKeyPem, 'HS256');

    expect((await refusalOf(sut.connect(bearer(token)))).status).toBe(401);
  });

  it('refuses an expired token with HTTP 401', async () => {
    const token = await signToken({ sub: 'u-alice' }, privateKey, alg, secondsFromNow(-60));

    expect((await refusalOf(sut.connect(query(token)))).status).toBe(401);
  });
});

describe('ALLOWED_ORIGINS', () => {
  const sut = appPerTest({ ALLOWED_ORIGINS: 'https://chat.example.com,https://admin.example.com' });

  it('refuses an upgrade from another Origin with HTTP 403 and opens no socket', async () => {
    const refusal = await refusalOf(
      sut.connect({ headers: { Origin: 'https://evil.example' }, timeoutMs: TIMEOUT_MS }),
    );

    expect(refusal.status).toBe(403);
    expect(await readMetric(sut.httpUrl, 'switchboard_connections')).toBe(0);
  });

  it('admits an upgrade from a listed Origin', async () => {
    const client = await sut.connect({
      headers: { Origin: 'https://admin.example.com' },
      timeoutMs: TIMEOUT_MS,
    });

    expect(client.isOpen).toBe(true);
  });
});

describe('private rooms', () => {
  const sut = appPerTest({ JWT_SECRET: SECRET });

  async function connectAs(sub: string, rooms?: string[]): Promise<TestClient> {
    return sut.connect(bearer(await signToken({ sub, name: sub, rooms }, SECRET)));
  }

  it('lets a user whose rooms claim lists private:x join it', async () => {
    const alice = await connectAs('alice', ['private:x']);

    const reply = await alice.request('join', { room: 'private:x' });

    expect(reply.event).toBe('joined');
    expect(reply.data.room).toBe('private:x');
  });

  it('lets a user with a matching wildcard claim join', async () => {
    const alice = await connectAs('alice', ['private:team-*']);

    const reply = await alice.request('join', { room: 'private:team-red' });

    expect(reply.event).toBe('joined');
  });

  it('answers forbidden, with the ref, to a user without a rooms claim', async () => {
    const mallory = await connectAs('mallory');

    const reply = await mallory.request('join', { room: 'private:x' });

    expect(reply).toMatchObject({ event: 'error', data: { code: 'forbidden', ref: 'r1' } });
    expect(mallory.isOpen).toBe(true);
  });

  it('answers forbidden to a user whose claims name other private rooms only', async () => {
    const mallory = await connectAs('mallory', ['private:y', 'private:x-*']);

    const reply = await mallory.request('join', { room: 'private:x' });

    expect(reply).toMatchObject({ event: 'error', data: { code: 'forbidden' } });
  });

  it('delivers nothing from a private room to a user who was refused it', async () => {
    const alice = await connectAs('alice', ['private:x']);
    const bob = await connectAs('bob', ['private:*']);
    const mallory = await connectAs('mallory');
    await alice.request('join', { room: 'private:x' });
    await bob.request('join', { room: 'private:x' });
    expect((await mallory.request('join', { room: 'private:x' })).data.code).toBe('forbidden');

    await alice.request('message', { room: 'private:x', text: 'secret' });
    alice.send('typing', { room: 'private:x' });
    await alice.request('message', { room: 'lobby', text: 'public' });

    // bob, allowed in, sees the room's traffic; mallory's next lobby frame proves it was all sent.
    expect((await bob.next('message')).data).toMatchObject({ room: 'private:x', text: 'secret' });
    expect((await bob.next('typing')).data).toMatchObject({ room: 'private:x' });
    expect((await mallory.next('message')).data).toMatchObject({ room: 'lobby', text: 'public' });
    expect(mallory.inbox.filter((frame) => frame.data?.room === 'private:x')).toEqual([]);
  });

  it('refuses messages and history for the private room to a user who was refused it', async () => {
    const mallory = await connectAs('mallory');
    await mallory.request('join', { room: 'private:x' });

    const sent = await mallory.request('message', { room: 'private:x', text: 'let me in' });
    const history = await mallory.request('history', { room: 'private:x' });

    expect(sent).toMatchObject({ event: 'error', data: { code: 'not_in_room' } });
    expect(history).toMatchObject({ event: 'error', data: { code: 'not_in_room' } });
  });
});

describe('a token in Sec-WebSocket-Protocol, in the logs of a server process at debug', () => {
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.kill();
  });

  it('logs neither an accepted nor a refused token', async () => {
    const port = await freePort();
    server = await ServerProcess.start({
      PORT: String(port),
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'debug',
    });
    const url = `ws://127.0.0.1:${port}/`;
    const good = await signToken({ sub: 'u-alice' }, SECRET);
    const bad = await signToken({ sub: 'u-mallory' }, 'another-secret-of-at-least-32-bytes!');

    const alice = await TestClient.connect(url, subprotocol(good));
    await alice.request('shout', {});
    await alice.close();
    expect((await refusalOf(TestClient.connect(url, subprotocol(bad)))).status).toBe(401);

    expect(server.output).toContain('"msg":"refused"');
    expect(server.output).not.toContain(good.split('.')[2]);
    expect(server.output).not.toContain(bad.split('.')[2]);
  });
});
