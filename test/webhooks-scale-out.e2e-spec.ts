import { freePort } from './utils/free-port.mjs';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { ServerProcess } from './utils/server-process.js';
import { startNodes, type TestApp, type TestEnv } from './utils/test-app.js';
import { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';
import { WebhookReceiver, type Answer } from './utils/webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';

describe('webhooks with Redis: a durable BullMQ queue shared by the nodes', () => {
  const prefix = uniquePrefix('webhooks');
  let receiver: WebhookReceiver | undefined;
  let nodes: TestApp[] = [];
  let processes: ServerProcess[] = [];
  const clients: TestClient[] = [];

  function env(url: string, extra: TestEnv = {}): TestEnv {
    return {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      DEFAULT_ROOM: '',
      WEBHOOK_URLS: url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_PRESENCE_DEBOUNCE_MS: '0',
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_RETRY_MAX_MS: '100',
      ...extra,
    };
  }

  async function startReceiver(answer?: Answer): Promise<WebhookReceiver> {
    receiver = await WebhookReceiver.start(answer);
    return receiver;
  }

  async function connect(url: string, uid: string): Promise<TestClient> {
    const client = await TestClient.connect(url, asUser(uid));
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await Promise.all(processes.splice(0).map((node) => node.kill()));
    await receiver?.close();
    await deletePrefix(prefix);
  });

  it('sends each event once per cluster, not once per node', async () => {
    const hooks = await startReceiver();
    nodes = await startNodes(2, env(hooks.url, { WEBHOOK_MESSAGE_ROOMS: 'ops' }));
    const alice = await connect(nodes[0].wsUrl, 'alice');
    const bob = await connect(nodes[1].wsUrl, 'bob');
    await alice.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });
    for (let i = 0; i < 3; i += 1) {
      await alice.request('message', { room: 'ops', text: `a${i}` });
      await bob.request('message', { room: 'ops', text: `b${i}` });
    }
    await alice.request('leave', { room: 'ops' });
    await bob.request('leave', { room: 'ops' });

    const events = await hooks.waitForAccepted(
      (all) => all.some((event) => event.type === 'room.vacated'),
      'room.vacated',
    );

    const count = (type: string) => events.filter((event) => event.type === type).length;
    expect([
      count('room.occupied'),
      count('member.joined'),
      count('message.created'),
      count('member.left'),
      count('room.vacated'),
    ]).toEqual([1, 2, 6, 2, 1]);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    expect(events[0].type).toBe('room.occupied');
    expect(events.at(-1)?.type).toBe('room.vacated');
  });

  it('sends nothing for a member who leaves on one node and comes back on another within the window', async () => {
    const hooks = await startReceiver();
    nodes = await startNodes(
      2,
      env(hooks.url, {
        WEBHOOK_PRESENCE_DEBOUNCE_MS: '1000',
        WEBHOOK_EVENTS: 'member.joined,member.left',
      }),
    );
    const onFirst = await connect(nodes[0].wsUrl, 'alice');
    await onFirst.request('join', { room: 'ops' });
    await onFirst.close();
    const onSecond = await connect(nodes[1].wsUrl, 'alice');
    await onSecond.request('join', { room: 'ops' });
    await onSecond.request('leave', { room: 'ops' });

    const events = await hooks.waitForAccepted(
      (all) => all.some((event) => event.type === 'member.left'),
      'member.left',
    );

    expect(events.map((event) => event.type)).toEqual(['member.joined', 'member.left']);
  });

  it('delivers the batch a SIGKILLed node was delivering from the other node, with the same event ids', async () => {
    // The first request hangs, so its node is mid-delivery when it dies; the next ones are accepted.
    const hooks = await startReceiver((n) => (n === 1 ? 'hang' : 204));
    const common = {
      ...env(hooks.url, { WEBHOOK_LOCK_MS: '1000', WEBHOOK_TIMEOUT_MS: '600000' }),
      LOG_LEVEL: 'warn',
    } as Record<string, string>;
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    const first = await ServerProcess.start({ ...common, PORT: String(firstPort) });
    processes.push(first);
    const alice = await connect(`ws://127.0.0.1:${firstPort}/`, 'alice');
    await alice.request('join', { room: 'ops' });
    await waitFor(() => hooks.requests.length === 1, 'the first node to start delivering');
    const second = await ServerProcess.start({ ...common, PORT: String(secondPort) });
    processes.push(second);

    await first.kill();

    const events = await hooks.waitForAccepted(
      (all) => all.some((event) => event.type === 'member.joined'),
      'the batch again, from the surviving node',
      20_000,
    );
    const held = hooks.requests[0].events;
    expect(held.map((event) => event.type)).toEqual(['room.occupied', 'member.joined']);
    expect(events.slice(0, held.length)).toEqual(held);
  });
});
