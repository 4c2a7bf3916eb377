import { freePort } from './utils/free-port.mjs';
import { readMetric } from './utils/metrics.js';
import { Nginx } from './utils/nginx.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { ResilientClient } from './utils/resilient-client.js';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

function connections(port: number): Promise<number> {
  return readMetric(`http://127.0.0.1:${port}`, 'switchboard_connections');
}

describe('two nodes as child processes behind nginx (deploy/nginx.conf)', () => {
  const prefix = uniquePrefix('cluster');
  let nodes: ServerProcess[] = [];
  let ports: number[] = [];
  let nginx: Nginx;
  /** Everything a test opened, each with how to shut it. */
  const opened: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    ports = [await freePort(), await freePort()];
    nodes = await Promise.all(
      ports.map((port) =>
        ServerProcess.start({
          PORT: String(port),
          REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
          NODE_HEARTBEAT_MS: '200',
          NODE_TTL_MS: '1500',
          LOG_LEVEL: 'warn',
        }),
      ),
    );
    nginx = await Nginx.start(await freePort(), ports);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((shut) => shut()));
    await nginx.stop();
    await Promise.all(nodes.map((node) => node.kill()));
    await deletePrefix(prefix);
  });

  async function connect(uid: string): Promise<TestClient> {
    const client = await TestClient.connect(nginx.wsUrl, asUser(uid));
    opened.push(() => client.close());
    return client;
  }

  it('spreads sockets over both nodes and delivers messages, DMs and presence across them', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    expect([await connections(ports[0]), await connections(ports[1])]).toEqual([1, 1]);
    await alice.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });
    expect((await alice.next('presence')).data).toMatchObject({
      action: 'join',
      user: { id: 'bob' },
    });

    const ack = await alice.request('message', { room: 'ops', text: 'via nginx' });
    const dm = await bob.request('dm', { to: 'alice', text: 'psst' });

    expect((await bob.next('message')).data).toMatchObject({ id: ack.data.id, text: 'via nginx' });
    expect((await alice.next('dm')).data).toMatchObject({ id: dm.data.id, from: { id: 'bob' } });
  });

  it('moves the clients of a SIGKILLed node to the survivor with nothing lost and nothing shown twice', async () => {
    const alice = new ResilientClient(nginx.wsUrl, 'alice', ['ops']);
    const bob = new ResilientClient(nginx.wsUrl, 'bob', ['ops']);
    opened.push(
      () => alice.stop(),
      () => bob.stop(),
    );
    await alice.start();
    const aliceNode = (await connections(ports[0])) === 1 ? 0 : 1;
    await bob.start();
    expect(await connections(ports[1 - aliceNode])).toBe(1);
    const watcher = await connect('watcher');
    await watcher.request('join', { room: 'ops' });

    for (let i = 0; i < 40; i += 1) {
      alice.send('ops', `a${i}`);
      bob.send('ops', `b${i}`);
      if (i === 15) await nodes[aliceNode].kill();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await alice.allAcked();
    await bob.allAcked();

    const shownTo = (client: ResilientClient, from: string) =>
      new Set(
        client.shown
          .filter((m) => (m.from as { id: string }).id === from)
          .map((m) => m.id as string),
      );
    await waitFor(
      () => shownTo(alice, 'bob').size >= bob.acked.size,
      "alice to be shown all of bob's messages",
    );
    await waitFor(
      () => shownTo(bob, 'alice').size >= alice.acked.size,
      "bob to be shown all of alice's messages",
    );
    expect(alice.acked.size).toBe(40);
    expect(bob.acked.size).toBe(40);
    expect(shownTo(alice, 'bob')).toEqual(bob.acked);
    expect(shownTo(bob, 'alice')).toEqual(alice.acked);
    expect(alice.duplicates()).toEqual([]);
    expect(bob.duplicates()).toEqual([]);
    expect(alice.sockets + bob.sockets).toBe(3);
  });

  it('announces that the users of a dead node left, through the liveness keys', async () => {
    const doomed = await connect('doomed');
    const victim = (await connections(ports[0])) === 1 ? 0 : 1;
    const watcher = await connect('watcher');
    expect(await connections(ports[1 - victim])).toBe(1);
    await doomed.request('join', { room: 'team' });
    await watcher.request('join', { room: 'team' });

    await nodes[victim].kill();

    const leave = await watcher.next((f) => f.event === 'presence' && f.data.action === 'leave');
    expect(leave.data).toMatchObject({ room: 'team', user: { id: 'doomed' } });
    expect(watcher.isOpen).toBe(true);
  });
});
