import { MemoryMessageStore } from '../src/engine/memory/memory-message-store.js';
import { MessageStore } from '../src/engine/message-store.js';
import { ConnectionRegistry } from '../src/transport/connection-registry.js';
import type { Socket } from 'node:net';
import { freePort } from './utils/free-port.mjs';
import { openIdleKeepAlive, openRawSocket } from './utils/raw-socket.js';
import { ServerProcess } from './utils/server-process.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

const TIMEOUT_MS = 10_000;

describe('the server process (node dist/main.js)', { timeout: 60_000 }, () => {
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];

  async function start(
    env: Record<string, string> = {},
  ): Promise<{ server: ServerProcess; url: string }> {
    const port = String(await freePort());
    const server = await ServerProcess.start({ PORT: port, LOG_LEVEL: 'warn', ...env });
    servers.push(server);
    return { server, url: `ws://127.0.0.1:${port}/` };
  }

  async function connect(url: string, name: string): Promise<TestClient> {
    const client = await TestClient.connect(url, { query: { name }, timeoutMs: TIMEOUT_MS });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  it('on SIGTERM acks the message just sent, closes every client with 1001, and exits with 0', async () => {
    const { server, url } = await start();
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((name) => connect(url, name)),
    );

    alice.send('message', { room: 'lobby', text: 'last words', clientMsgId: 'c-1', ref: 'm1' });
    // Frames are handled in order: once this malformed one is answered, the message is in the server.
    alice.sendRaw('{');
    await alice.next((frame) => frame.data?.code === 'bad_request', 'the bad_request probe reply');
    server.signal('SIGTERM');

    const ack = await alice.next((frame) => frame.data?.ref === 'm1', 'the ack of the message');
    expect(ack.event).toBe('ack');
    for (const client of [alice, bob, carol])
      expect((await client.waitClosed(TIMEOUT_MS)).code).toBe(1001);
    expect((await server.waitExit(TIMEOUT_MS)).code).toBe(0);
  });

  it('delivers the message sent just before SIGTERM to the other clients before closing them', async () => {
    const { server, url } = await start();
    const alice = await connect(url, 'alice');
    const bob = await connect(url, 'bob');

    alice.send('message', { room: 'lobby', text: 'last words', ref: 'm1' });
    alice.sendRaw('{');
    await alice.next((frame) => frame.data?.code === 'bad_request', 'the bad_request probe reply');
    server.signal('SIGTERM');

    expect((await bob.next('message')).data.text).toBe('last words');
    expect((await bob.waitClosed(TIMEOUT_MS)).code).toBe(1001);
    await server.waitExit(TIMEOUT_MS);
  });

  it('refuses to start on a bad configuration with one JSON log line naming every bad key, and exits with 1', async () => {
    const server = ServerProcess.spawn({ PORT: 'abc', MAX_FRAME_BYTES: '-1', LOG_LEVEL: 'loud' });
    servers.push(server);

    const exit = await server.waitExit(TIMEOUT_MS);

    expect(exit.code, server.output).toBe(1);
    const [line, ...others] = server.logLines;
    expect(others, server.output).toEqual([]);
    expect(line).toMatchObject({ level: 60, context: 'Bootstrap' });
    expect([...(line.keys as string[])].sort()).toEqual(['LOG_LEVEL', 'MAX_FRAME_BYTES', 'PORT']);
    expect(line.problems).toEqual([
      expect.stringContaining('PORT="abc"'),
      expect.stringContaining('LOG_LEVEL="loud"'),
      expect.stringContaining('MAX_FRAME_BYTES="-1"'),
    ]);
  });

  it('reports a port already in use as one JSON log line naming the port, and exits with 1', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    const second = ServerProcess.spawn({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    servers.push(second);

    const exit = await second.waitExit(TIMEOUT_MS);

    expect(exit.code, second.output).toBe(1);
    const [line, ...others] = second.logLines;
    expect(others, second.output).toEqual([]);
    expect(line).toMatchObject({ level: 60, port, code: 'EADDRINUSE' });
    expect(line.msg).toContain(`port ${port} is already in use`);
  });

  it('negotiates no permessage-deflate with PERMESSAGE_DEFLATE=false', async () => {
    const { url } = await start({ PERMESSAGE_DEFLATE: 'false' });

    const client = await connect(url, 'alice');

    expect(client.socket.extensions).toBe('');
  });

  it('negotiates permessage-deflate with PERMESSAGE_DEFLATE=true', async () => {
    const { url } = await start({ PERMESSAGE_DEFLATE: 'true' });

    const client = await connect(url, 'alice');

    expect(client.socket.extensions).toContain('permessage-deflate');
  });
});

describe('shutdown bounded by SHUTDOWN_TIMEOUT_MS, whatever clients do (node dist/main.js)', () => {
  const SHUTDOWN_TIMEOUT_MS = 1000;
  /** Time the process may take past the bound: Nest's own teardown and the exit itself. */
  const MARGIN_MS = 1000;
  let server: ServerProcess | undefined;
  const sockets: Socket[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const client of clients.splice(0)) client.socket.terminate();
    await server?.kill();
    server = undefined;
  });

  /** Each way a client can linger; `linger` opens one against the port and keeps it open. */
  const lingering: { kind: string; linger: (port: number) => Promise<void> }[] = [
    {
      kind: 'an idle keep-alive HTTP connection (a browser that loaded the page)',
      linger: async (port) => void sockets.push(await openIdleKeepAlive(port)),
    },
    {
      kind: 'a TCP connection that never sent a request',
      linger: async (port) => void sockets.push(await openRawSocket(port)),
    },
    {
      kind: 'a half-sent upgrade request',
      linger: async (port) =>
        void sockets.push(
          await openRawSocket(
            port,
            `GET /?name=slow HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`,
          ),
        ),
    },
    {
      kind: 'a WebSocket that never reads (its close handshake never completes)',
      linger: async (port) => {
        const client = await TestClient.connect(`ws://127.0.0.1:${port}/`, {
          query: { name: 'deaf' },
        });
        clients.push(client);
        client.socket.pause();
      },
    },
  ];

  it.each(lingering)('exits with 0 in time despite $kind', async ({ linger }) => {
    const port = await freePort();
    server = await ServerProcess.start({
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    await linger(port);

    server.signal('SIGTERM');

    const exit = await server.waitExit(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
    expect(exit.code, server.output).toBe(0);
  });
});

describe('graceful shutdown with a write in flight (in process)', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  /** A gate the store's next append waits at: `reached` resolves when it arrives, `open()` lets it through. */
  function gate(): { reached: Promise<void>; wait: () => Promise<void>; open: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const opened = new Promise<void>((resolve) => (release = resolve));
    return {
      reached,
      wait: () => {
        arrive();
        return opened;
      },
      open: () => release(),
    };
  }

  it('acks a message still being stored before it closes the sockets with 1001', async () => {
    const store = gate();
    const app = await startApp({}, (builder) =>
      builder.overrideProvider(MessageStore).useFactory({
        inject: [MemoryMessageStore],
        factory: (memory: MemoryMessageStore) =>
          new Proxy(memory, {
            get(target, property, receiver) {
              if (property !== 'append') return Reflect.get(target, property, receiver);
              return async (...args: Parameters<MemoryMessageStore['append']>) => {
                await store.wait();
                return target.append(...args);
              };
            },
          }),
      }),
    );
    sut = app;
    const alice = await app.connect({ query: { name: 'alice' }, timeoutMs: TIMEOUT_MS });
    const bob = await app.connect({ query: { name: 'bob' }, timeoutMs: TIMEOUT_MS });
    const aliceClosed = alice.waitClosed(TIMEOUT_MS);
    alice.send('message', { room: 'lobby', text: 'last words', ref: 'm1' });
    await store.reached;

    const closing = app.app.close();
    const registry = app.app.get(ConnectionRegistry);
    await waitFor(() => !registry.accepting, 'the shutdown to begin', TIMEOUT_MS, 10);
    store.open();

    const ack = await alice.next((frame) => frame.data?.ref === 'm1', 'the ack of the message');
    expect(ack.event).toBe('ack');
    expect((await bob.next('message')).data.text).toBe('last words');
    expect((await aliceClosed).code).toBe(1001);
    expect((await bob.waitClosed(TIMEOUT_MS)).code).toBe(1001);
    await closing;
    sut = undefined;
  });
});
