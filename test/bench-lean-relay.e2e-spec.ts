import type { ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { freePort } from './utils/free-port.mjs';
import { killGroup, spawnOwned } from './utils/owned-process.js';
import { waitFor } from './utils/wait-for.mjs';

type Envelope = { event: string; data: Record<string, unknown> };

/** A client of the relay that keeps every envelope it received, in order. */
async function connect(port: number, query: string): Promise<{ ws: WebSocket; got: Envelope[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`);
  const got: Envelope[] = [];
  ws.on('message', (raw: Buffer) => got.push(JSON.parse(raw.toString('utf8')) as Envelope));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, got };
}

// The lean relay is issue 12's baseline for memory per idle socket and CPU per connection: it must keep
// the user the query names and relay like the other relays, or the bench compares with a broken peer.
describe('bench: the lean ws relay (bench/servers/lean-relay.mjs)', () => {
  let relay: ChildProcess;
  let port: number;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    port = await freePort();
    relay = spawnOwned(process.execPath, ['bench/servers/lean-relay.mjs'], {
      env: { ...process.env, PORT: String(port) },
      stdio: 'inherit',
    });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = new WebSocket(`ws://127.0.0.1:${port}/`);
          probe.once('open', () => (probe.terminate(), resolve(true)));
          probe.once('error', () => resolve(false));
        }),
      'the lean relay to accept WebSockets',
    );
  });

  afterEach(() => {
    for (const ws of open.splice(0)) ws.terminate();
  });

  afterAll(async () => {
    await killGroup(relay);
  });

  it("relays plain text to lobby's other sockets, from the user `?uid=` and `?name=` name", async () => {
    const alice = await connect(port, 'uid=a-1&name=alice');
    const bob = await connect(port, 'name=bob');
    open.push(alice.ws, bob.ws);

    alice.ws.send('hello');

    await waitFor(() => bob.got.length > 0, 'bob to receive the message');
    expect(bob.got[0]).toMatchObject({
      event: 'message',
      data: { room: 'lobby', text: 'hello', from: { id: 'a-1', name: 'alice' } },
    });
    expect(alice.got).toEqual([]);
  });

  it('answers join with joined and relays an envelope only to that room', async () => {
    const alice = await connect(port, 'name=alice');
    const bob = await connect(port, 'name=bob');
    const carol = await connect(port, 'name=carol');
    open.push(alice.ws, bob.ws, carol.ws);
    for (const { ws } of [alice, bob])
      ws.send(JSON.stringify({ event: 'join', data: { room: 'r1' } }));
    await waitFor(() => alice.got.length > 0 && bob.got.length > 0, 'both joined');
    expect(alice.got[0]).toEqual({ event: 'joined', data: { room: 'r1' } });

    alice.ws.send(JSON.stringify({ event: 'message', data: { room: 'r1', text: 'in r1' } }));

    await waitFor(() => bob.got.length > 1, 'bob to receive the message');
    expect(bob.got[1]).toMatchObject({ event: 'message', data: { room: 'r1', text: 'in r1' } });
    expect((bob.got[1].data.from as { id: string }).id).toMatch(/^u-[0-9a-f]{16}$/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carol.got).toEqual([]);
  });

  it('answers a ping with a pong', async () => {
    const { ws } = await connect(port, 'name=pinger');
    open.push(ws);
    const pong = new Promise<string>((resolve) => ws.once('pong', (data) => resolve(String(data))));

    ws.ping('are you there');

    expect(await pong).toBe('are you there');
  });
});
