import { freePort } from './utils/free-port.mjs';
import { readMetric } from './utils/metrics.js';
import { Nginx } from './utils/nginx.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { SdkUser } from './utils/sdk-user.js';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';

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

  it('moves the SDK clients of a SIGKILLed node to the survivor with nothing lost, nothing shown twice, all in order', async () => {
    const alice = new SdkUser(nginx.wsUrl, 'alice');
    const bob = new SdkUser(nginx.wsUrl, 'bob');
    opened.push(
      async () => alice.stop(),
      async () => bob.stop(),
    );
    await alice.start(['ops']);
    const aliceNode = (await connections(ports[0])) === 1 ? 0 : 1;
    await bob.start(['ops']);
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
    await alice.shownFrom('bob', 40);
    await bob.shownFrom('alice', 40);

    const sent = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}${i}`);
    expect(bob.textsFrom('alice')).toEqual(sent('a'));
    expect(alice.textsFrom('bob')).toEqual(sent('b'));
    expect(new Set(alice.acks.map((ack) => ack.id)).size).toBe(40);
    expect(alice.duplicates()).toEqual([]);
    expect(bob.duplicates()).toEqual([]);
    expect(alice.states).toContainEqual(expect.objectContaining({ reason: 'network' }));
    expect(alice.connections + bob.connections).toBe(3);
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
