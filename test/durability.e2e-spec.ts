import { AckedSender, repeated, wholeHistory } from './utils/acked-traffic.js';
import { databasePerSuite, DATABASE_KINDS } from './utils/database.js';
import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const SENDERS = ['ann', 'bob', 'cid', 'dee'];
const ROOM = 'crash';

/**
 * An ack is a promise: `node dist/main.js` killed with SIGKILL right after a burst of acks, or in the
 * middle of one, and started again on the same database, shows every acked message in history, once,
 * under the id its ack gave; a send cut off by the crash and resent with its clientMsgId appears once.
 */
describe.each(DATABASE_KINDS)('kill -9 of the node on %s', { timeout: 60_000 }, (kind) => {
  const database = databasePerSuite(kind, 'kill9');
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];

  /** Starts the built server on this suite's database and a free port; resolves once it listens. */
  async function startServer(): Promise<{ server: ServerProcess; url: string }> {
    const port = await freePort();
    const server = await ServerProcess.start({
      PORT: String(port),
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_BURST: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      USER_RATE_LIMIT_PER_SECOND: '100000',
    });
    servers.push(server);
    return { server, url: `ws://127.0.0.1:${port}/` };
  }

  /** A client of `uid` on `url`, in the room. */
  async function joined(url: string, uid: string): Promise<TestClient> {
    const client = await TestClient.connect(url, asUser(uid));
    clients.push(client);
    expect((await client.request('join', { room: ROOM })).event).toBe('joined');
    return client;
  }

  /** SIGKILL, nothing else: no drain, no close frames; resolves once the process is gone. */
  async function crash(server: ServerProcess): Promise<void> {
    server.signal('SIGKILL');
    expect((await server.waitExit(10_000)).signal).toBe('SIGKILL');
    await Promise.all(clients.splice(0).map((client) => client.waitClosed(10_000)));
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  it('keeps every message acked before a SIGKILL that follows the last ack at once, each once', async () => {
    const { server, url } = await startServer();
    const senders = SENDERS.map((uid) => new AckedSender(uid, ROOM));
    for (const sender of senders) sender.attach(await joined(url, sender.uid));

    for (const sender of senders) sender.burst(50);
    await Promise.all(senders.map((sender) => sender.settled()));
    await crash(server);

    const restarted = await startServer();
    const history = await wholeHistory(await joined(restarted.url, 'reader'), ROOM);
    const acked = new Map(senders.flatMap((sender) => [...sender.acked]));
    expect(acked.size).toBe(200);
    expect(repeated(history.map((m) => m.id))).toEqual([]);
    expect(new Map(history.map((m) => [`${m.from.id}-${m.text.split(' ')[1]}`, m.id]))).toEqual(
      acked,
    );
  });

  it('keeps what was acked before a SIGKILL mid-burst, and stores each resent send once', async () => {
    const { server, url } = await startServer();
    const senders = SENDERS.map((uid) => new AckedSender(uid, ROOM));
    for (const sender of senders) sender.attach(await joined(url, sender.uid));

    for (const sender of senders) sender.burst(150);
    const ackedSoFar = () => senders.reduce((sum, sender) => sum + sender.acked.size, 0);
    await waitFor(() => ackedSoFar() >= 100, 'a third of the burst to be acked', 20_000, 1);
    await crash(server);
    const beforeCrash = new Map(senders.flatMap((sender) => [...sender.acked]));
    const cutOff = senders.reduce((sum, sender) => sum + sender.unacked.size, 0);

    const restarted = await startServer();
    for (const sender of senders) sender.attach(await joined(restarted.url, sender.uid));
    for (const sender of senders) sender.resend();
    await Promise.all(senders.map((sender) => sender.settled()));

    const history = await wholeHistory(await joined(restarted.url, 'reader'), ROOM);
    const stored = new Map(history.map((m) => [`${m.from.id}-${m.text.split(' ')[1]}`, m.id]));
    // The crash came mid-burst: some sends were never acked before it, and had to be resent.
    expect(beforeCrash.size).toBeGreaterThanOrEqual(100);
    expect(cutOff).toBeGreaterThan(0);
    expect(repeated(history.map((m) => m.id))).toEqual([]);
    expect(history).toHaveLength(600);
    for (const [clientMsgId, id] of beforeCrash) expect(stored.get(clientMsgId)).toBe(id);
    const acked = new Map(senders.flatMap((sender) => [...sender.acked]));
    expect(stored).toEqual(acked);
    expect(senders.flatMap((sender) => sender.otherErrors)).toEqual([]);
  });
});
