import { createTestDatabase } from './utils/database.js';
import { freePort } from './utils/free-port.mjs';
import { secondsFromNow, signToken } from './utils/jwt.js';
import { readMetric } from './utils/metrics.js';
import { readmeScript, ReadmeScriptProcess } from './utils/readme-script.js';
import { SdkUser } from './utils/sdk-user.js';
import { ServerProcess } from './utils/server-process.js';
import { appPerTest } from './utils/test-app.js';
import { connectUsers } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';
import type * as Sdk from '../packages/client/src/index.js';

const SECRET = 'e2e-secret-that-is-at-least-32-bytes-long';
/** The built package, as `import '@switchboard/client'` finds it once installed. */
const DIST = new URL('../packages/client/dist/index.js', import.meta.url).href;

/** The SDK users a test started; each is closed for good after it, before its app closes. */
const users: SdkUser[] = [];

function sdkUser(...args: ConstructorParameters<typeof SdkUser>): SdkUser {
  const user = new SdkUser(...args);
  users.push(user);
  return user;
}

afterEach(() => {
  for (const user of users.splice(0)) user.stop();
});

describe('the SDK (@switchboard/client) against the server', () => {
  const sut = appPerTest();

  it('joins a room, sends, and shows what another user sends', async () => {
    const alice = await sdkUser(sut.wsUrl, 'alice').start(['design']);
    const bob = await sdkUser(sut.wsUrl, 'bob').start(['design']);

    alice.send('design', 'hi bob');
    bob.send('design', 'hi alice');
    await alice.shownFrom('bob', 1);
    await bob.shownFrom('alice', 1);

    expect(alice.textsFrom('bob')).toEqual(['hi alice']);
    expect(bob.textsFrom('alice')).toEqual(['hi bob']);
    expect(alice.client.state).toEqual({ status: 'connected' });
  });

  it('chats from the built package (packages/client/dist), as an app installs it', async () => {
    const { SwitchboardClient } = (await import(DIST)) as typeof Sdk;
    const [bob] = await connectUsers(sut, 'bob');
    const { default: WebSocket } = await import('ws');
    const client = new SwitchboardClient({ url: sut.wsUrl, WebSocket, query: { name: 'bot' } });
    client.connect();

    try {
      await client.send('lobby', 'from the package');

      expect((await bob.next('message')).data).toMatchObject({
        text: 'from the package',
        from: { name: 'bot' },
      });
    } finally {
      client.close();
    }
  });
});

describe("the README's Node script", () => {
  const sut = appPerTest();

  it('chats: it sends, and prints what another user sends', async () => {
    expect(readmeScript().trim().split('\n').length).toBeLessThanOrEqual(10);
    const [bob] = await connectUsers(sut, 'bob');
    const script = ReadmeScriptProcess.start(sut.wsUrl);

    try {
      const hello = await bob.next(
        (f) => f.event === 'message' && f.data.text === 'hello from Node',
        'the script to send "hello from Node"',
      );
      await bob.request('message', { room: 'lobby', text: 'hi script' });
      await script.waitForOutput('bob name: hi script', "the script to print bob's message");

      expect(hello.data.from).toMatchObject({ name: 'node' });
      expect(script.output).toContain('[connected]');
    } finally {
      await script.stop();
    }
  });
});

describe('the SDK under rate limiting (RATE_LIMIT_PER_SECOND=10, RATE_LIMIT_BURST=3)', () => {
  const sut = appPerTest({ RATE_LIMIT_PER_SECOND: '10', RATE_LIMIT_BURST: '3' });

  it('delivers 30 quick sends to the room exactly once and in the order sent', async () => {
    const [bob] = await connectUsers(sut, 'bob');
    await bob.request('join', { room: 'ops' });
    const alice = await sdkUser(sut.wsUrl, 'alice').start(['ops']);
    const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);

    for (const text of sent) alice.send('ops', text);
    await alice.allAcked();

    const received: string[] = [];
    for (const _ of sent) received.push((await bob.next('message')).data.text as string);
    expect(received).toEqual(sent);
    expect(new Set(alice.acks.map((ack) => ack.id)).size).toBe(30);
    expect(
      await readMetric(sut.httpUrl, 'switchboard_errors_total', { code: 'rate_limited' }),
    ).toBeGreaterThan(0);
    expect(await bob.drain(200)).not.toContainEqual(expect.objectContaining({ event: 'message' }));
  });
});

describe('the SDK with JWTs', () => {
  const sut = appPerTest({ JWT_SECRET: SECRET });

  it('reconnects with a fresh token from getToken after 4001, rejoins, and sends on', async () => {
    let issued = 0;
    const alice = sdkUser(sut.wsUrl, 'alice', {
      // The first token expires within two seconds; the next lasts an hour.
      getToken: () =>
        signToken(
          { sub: 'alice', name: 'Alice' },
          SECRET,
          'HS256',
          issued++ ? '1h' : secondsFromNow(2),
        ),
    });
    const bob = await sdkUser(sut.wsUrl, 'bob', {
      getToken: () => signToken({ sub: 'bob' }, SECRET),
    }).start(['ops']);
    await alice.start(['ops']);

    await waitFor(() => alice.connections === 2, 'alice to connect again after 4001', 15_000);
    alice.send('ops', 'after the refresh');
    await bob.shownFrom('alice', 1);

    expect(alice.states).toContainEqual(
      expect.objectContaining({ status: 'disconnected', reason: 'token_expired', code: 4001 }),
    );
    expect(issued).toBe(2);
    expect(alice.joins).toHaveLength(2);
    expect(bob.textsFrom('alice')).toEqual(['after the refresh']);
  });

  it('stops for good, without retrying, when the handshake is refused with 401', async () => {
    const mallory = sdkUser(sut.wsUrl, 'mallory', { getToken: () => 'not.a.jwt' });

    await expect(mallory.start()).rejects.toMatchObject({ code: 'closed' });

    expect(mallory.states).toEqual([
      { status: 'connecting', attempt: 0 },
      { status: 'closed', reason: 'unauthorized', code: 1006, httpStatus: 401 },
    ]);
  });
});

describe('the SDK across a server restart (a child process on SQLite)', () => {
  it('reconnects after 1001, recovers its rooms with since, and sends what was written while the server was down, once and in order', async () => {
    const database = await createTestDatabase('sqlite', 'sdk');
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: database.url, LOG_LEVEL: 'warn' };
    let server = await ServerProcess.start(env);
    try {
      const url = `ws://127.0.0.1:${port}/`;
      const alice = await sdkUser(url, 'alice').start(['ops']);
      const bob = await sdkUser(url, 'bob').start(['ops']);
      alice.send('ops', 'before');
      await bob.shownFrom('alice', 1);

      await server.stop('SIGTERM');
      await alice.reached((s) => s.status === 'disconnected', 'disconnected');
      alice.send('ops', 'while down 1');
      alice.send('ops', 'while down 2');
      server = await ServerProcess.start(env);
      await alice.allAcked();
      await bob.shownFrom('alice', 3);

      expect(alice.states).toContainEqual(expect.objectContaining({ reason: 'going_away' }));
      expect(bob.textsFrom('alice')).toEqual(['before', 'while down 1', 'while down 2']);
      expect(bob.duplicates()).toEqual([]);
      expect(bob.joins.at(-1)).toMatchObject({ recovered: true, gap: false });
    } finally {
      for (const user of users.splice(0)) user.stop();
      await server.kill();
      await database.drop();
    }
  });
});

describe('the SDK against a frozen server (a child process stopped with SIGSTOP: its TCP connections stay open, nothing answers)', () => {
  const heartbeat = { intervalMs: 500, timeoutMs: 500 };
  let server: ServerProcess | undefined;

  afterEach(async () => {
    for (const user of users.splice(0)) user.stop();
    // SIGKILL ends a stopped process too.
    await server?.kill();
    server = undefined;
  });

  it('notices within intervalMs + timeoutMs, reconnects once the server runs again, rejoins with since, and delivers what was sent while frozen exactly once', async () => {
    const port = await freePort();
    server = await ServerProcess.start({ PORT: String(port), LOG_LEVEL: 'warn' });
    const url = `ws://127.0.0.1:${port}/`;
    const alice = await sdkUser(url, 'alice', { heartbeat }).start(['ops']);
    // Bob keeps the default heartbeat (a ping after 25 s of silence): he stays connected through the freeze.
    const bob = await sdkUser(url, 'bob').start(['ops']);
    alice.send('ops', 'before');
    bob.send('ops', 'seen by alice');
    await bob.shownFrom('alice', 1);
    await alice.shownFrom('bob', 1);
    await alice.allAcked();
    let noticedAt: number | undefined;
    alice.client.on('state', (state) => {
      if (state.status === 'disconnected') noticedAt ??= Date.now();
    });

    server.signal('SIGSTOP');
    const frozenAt = Date.now();
    // Sent on the frozen connection at once (it still looks open), so lost with it and resent after.
    alice.send('ops', 'while frozen');
    await alice.reached((s) => s.status === 'disconnected', 'disconnected', 5000);
    const noticedAfterMs = noticedAt! - frozenAt;
    // Frozen a while longer: the reconnect attempt waits on a handshake nobody answers.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    server.signal('SIGCONT');
    await waitFor(() => alice.connections === 2, 'alice to connect again', 15_000);
    alice.send('ops', 'after');
    await alice.allAcked();
    await bob.shownFrom('alice', 3);

    expect(alice.states).toContainEqual({
      status: 'disconnected',
      reason: 'heartbeat_timeout',
      code: 1006,
      retryInMs: expect.any(Number) as unknown,
    });
    // At least the timeout after a ping; at most a whole silence and the timeout (+ a loaded machine's margin).
    expect(noticedAfterMs).toBeGreaterThanOrEqual(heartbeat.timeoutMs);
    expect(noticedAfterMs).toBeLessThan(heartbeat.intervalMs + heartbeat.timeoutMs + 1500);
    expect(alice.joins).toHaveLength(2);
    expect(alice.joins.at(-1)).toMatchObject({
      since: alice.shown.find((m) => m.from.id === 'bob')!.id,
      recovered: true,
      gap: false,
    });
    expect(bob.textsFrom('alice')).toEqual(['before', 'while frozen', 'after']);
    expect(bob.duplicates()).toEqual([]);
    expect(bob.connections).toBe(1);
    expect(new Set(alice.acks.map((ack) => ack.id)).size).toBe(3);
  });
});
