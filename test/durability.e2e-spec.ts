import { AckedSender, repeated, wholeHistory } from './utils/acked-traffic.js';
import { databasePerSuite, DATABASE_KINDS } from './utils/database.js';
import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const SENDERS = ['ann', 'bob', 'cid', 'dee'];
const ROOM = 'crash';

/** Every message id acked to these senders, by clientMsgId. */
function ackedOf(senders: readonly AckedSender[]): Map<string, string> {
  return new Map(senders.flatMap((sender) => [...sender.acked]));
}

/** The clientMsgId a message was sent with (its text is `<uid> <n>`). */
function clientMsgIdOf(message: { from: { id: string }; text: string }): string {
  return `${message.from.id}-${message.text.split(' ')[1]}`;
}

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

  it('keeps every acked message, once, through a SIGKILL right after the last ack and one mid-burst; cut-off sends resent are stored once', async () => {
    const first = await startServer();
    const senders = SENDERS.map((uid) => new AckedSender(uid, ROOM));
    for (const sender of senders) sender.attach(await joined(first.url, sender.uid));
    for (const sender of senders) sender.burst(50);
    await Promise.all(senders.map((sender) => sender.settled()));
    await crash(first.server);

    const second = await startServer();
    const afterFirst = await wholeHistory(await joined(second.url, 'reader'), ROOM);
    expect(repeated(afterFirst.map((m) => m.id))).toEqual([]);
    expect(new Map(afterFirst.map((m) => [clientMsgIdOf(m), m.id]))).toEqual(ackedOf(senders));
    expect(afterFirst).toHaveLength(200);

    for (const sender of senders) sender.attach(await joined(second.url, sender.uid));
    for (const sender of senders) sender.keepInFlight(20);
    await waitFor(
      () => ackedOf(senders).size >= 400,
      'two hundred more acks under a steady stream of sends',
      20_000,
      1,
    );
    await crash(second.server);
    for (const sender of senders) sender.stopSending();
    const beforeCrash = ackedOf(senders);
    const cutOff = senders.reduce((sum, sender) => sum + sender.unacked.size, 0);

    const third = await startServer();
    for (const sender of senders) sender.attach(await joined(third.url, sender.uid));
    for (const sender of senders) sender.resend();
    await Promise.all(senders.map((sender) => sender.settled()));
    const history = await wholeHistory(await joined(third.url, 'reader'), ROOM);
    const stored = new Map(history.map((m) => [clientMsgIdOf(m), m.id]));

    // Each sender had sends in flight when the process died: some were never acked.
    expect(cutOff).toBeGreaterThan(0);
    expect(repeated(history.map((m) => m.id))).toEqual([]);
    for (const [clientMsgId, id] of beforeCrash) expect(stored.get(clientMsgId)).toBe(id);
    expect(stored).toEqual(ackedOf(senders));
    expect(history).toHaveLength(beforeCrash.size + cutOff);
    expect(senders.flatMap((sender) => sender.otherErrors)).toEqual([]);
  });
});
