import { AckedSender, repeated, sendContinuously, wholeHistory } from './utils/acked-traffic.js';
import { PostgresServer } from './utils/postgres-server.js';
import { readyStatus } from './utils/readiness.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { asUser } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const ROOM = 'faults';
const SENDERS = ['ann', 'bob', 'cid'];

/** The ways the test stops its private PostgreSQL, each a crash: no checkpoint, connections cut. */
const STOPS: [string, (postgres: PostgresServer) => Promise<void>][] = [
  ['pg_ctl stop -m immediate', (postgres) => postgres.stopImmediate()],
  ['SIGKILL of the postmaster', (postgres) => postgres.killPostmaster()],
];

/**
 * The database stopped mid-traffic, on a PostgreSQL of this file's own: sends are answered
 * `unavailable` (never acked) while it is down and /health/ready is 503; when it is started again the
 * same node acks again and is ready by itself; every acked message is in history once, and the sends
 * refused meanwhile, resent with their clientMsgId, once too.
 */
describe('the database stopped mid-traffic (a private PostgreSQL)', { timeout: 60_000 }, () => {
  let postgres: PostgresServer;
  let app: TestApp | undefined;
  let schemas = 0;

  beforeAll(async () => {
    postgres = await PostgresServer.start();
  }, 60_000);

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await postgres?.destroy();
  });

  it.each(STOPS)(
    '%s: unavailable and not ready meanwhile, then acks again by itself, nothing acked lost',
    async (_, stop) => {
      app = await startApp({
        DATABASE_URL: await postgres.schemaUrl(`faults_${(schemas += 1)}`),
        RATE_LIMIT_BURST: '100000',
        RATE_LIMIT_PER_SECOND: '100000',
        USER_RATE_LIMIT_PER_SECOND: '100000',
        LOG_LEVEL: 'fatal',
      });
      const senders = SENDERS.map((uid) => new AckedSender(uid, ROOM));
      for (const sender of senders) {
        const client = await app.connect(asUser(sender.uid));
        await client.request('join', { room: ROOM });
        sender.attach(client);
      }
      const traffic = sendContinuously(senders);

      await waitFor(
        () => senders.every((sender) => sender.acked.size >= 3),
        'every sender to get acks',
      );
      await stop(postgres);
      const ackedWhenStopped = senders.map((sender) => sender.acked.size);
      await waitFor(
        () => senders.every((sender) => sender.unavailable >= 3),
        'every sender to be answered unavailable',
      );
      await waitFor(
        async () => (await readyStatus(app!.httpUrl)) === 503,
        '/health/ready to answer 503',
      );
      const ackedWhileDown = senders.map((sender, i) => sender.acked.size - ackedWhenStopped[i]);

      await postgres.start();
      const ackedWhenStarted = senders.map((sender) => sender.acked.size);
      await waitFor(
        () => senders.every((sender, i) => sender.acked.size >= ackedWhenStarted[i] + 3),
        'every sender to be acked again',
        20_000,
      );
      await waitFor(
        async () => (await readyStatus(app!.httpUrl)) === 200,
        '/health/ready to answer 200',
      );
      await traffic.stop();
      for (const sender of senders) sender.resend();
      await Promise.all(senders.map((sender) => sender.settled()));

      // At most a send in flight per sender can be acked after the stop began: none once refused.
      expect(ackedWhileDown.every((count) => count <= 1)).toBe(true);
      expect(senders.flatMap((sender) => sender.otherErrors)).toEqual([]);
      const reader = await app.connect(asUser('reader'));
      await reader.request('join', { room: ROOM });
      const history = await wholeHistory(reader, ROOM);
      expect(repeated(history.map((m) => m.id))).toEqual([]);
      const acked = new Map(senders.flatMap((sender) => [...sender.acked]));
      expect(new Map(history.map((m) => [`${m.from.id}-${m.text.split(' ')[1]}`, m.id]))).toEqual(
        acked,
      );
    },
  );
});
