import type { ChatMessage as Message } from '../src/protocol/chat.events.js';
import type { Frame, TestClient } from './utils/test-client.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { sendMany } from './utils/send-many.js';
import { connectUsers } from './utils/users.js';

/** Small caps so that a test reaches them with a few dozen messages; rate limits out of the way. */
const CAPS: TestEnv = {
  RECOVERY_MAX_MESSAGES: '20',
  REPLY_MAX_BYTES: '16384',
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

/** Bytes of the messages in a reply, as the server measures them: each message's JSON, and the commas. */
const bytesOf = (messages: Message[]): number =>
  messages.reduce((sum, message) => sum + Buffer.byteLength(JSON.stringify(message)) + 1, 0);

const ids = (messages: Message[]): string[] => messages.map((message) => message.id);
const idsOf = (acks: Frame[]): string[] => acks.map((ack) => ack.data.id as string);

describe.each([
  ['memory', () => ({})],
  ['Redis', () => ({ REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix('reply-caps') })],
] as const)(
  'reply caps, %s engine (RECOVERY_MAX_MESSAGES=20, REPLY_MAX_BYTES=16384)',
  (_, engine) => {
    let sut: TestApp;
    let env: TestEnv;
    let alice: TestClient;
    let bob: TestClient;

    beforeAll(async () => {
      env = engine();
      sut = await startApp({ ...CAPS, ...env });
    });

    afterAll(async () => {
      await sut.close();
      if (env.REDIS_KEY_PREFIX) await deletePrefix(env.REDIS_KEY_PREFIX);
    });

    beforeEach(async () => {
      [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    });

    afterEach(async () => {
      await Promise.all([alice.close(), bob.close()]);
    });

    it('recovers a gap of exactly RECOVERY_MAX_MESSAGES, recovered true', async () => {
      await alice.request('join', { room: 'exact' });
      const acks = await sendMany(alice, 'exact', 21);

      const joined = await bob.request('join', { room: 'exact', since: acks[0].data.id });

      expect(ids(joined.data.messages)).toEqual(idsOf(acks.slice(1)));
      expect(joined.data.recovered).toBe(true);
    });

    it('answers a longer gap with the latest page, recovered false, and the client pages older with history before', async () => {
      await alice.request('join', { room: 'gap' });
      const acks = await sendMany(alice, 'gap', 80);

      const joined = await bob.request('join', { room: 'gap', since: acks[0].data.id });
      const older = await bob.request('history', {
        room: 'gap',
        before: joined.data.messages[0].id,
      });

      expect(joined.data.recovered).toBe(false);
      expect(ids(joined.data.messages)).toEqual(idsOf(acks.slice(30)));
      expect(ids(older.data.messages)).toEqual(idsOf(acks.slice(0, 30)));
    });

    it('leaves the oldest messages out of a recovery past REPLY_MAX_BYTES, recovered false, and history pages the rest', async () => {
      await alice.request('join', { room: 'heavy' });
      const acks = await sendMany(alice, 'heavy', 20, 'm', 1000);

      const joined = await bob.request('join', { room: 'heavy', since: acks[0].data.id });
      const shown: Message[] = joined.data.messages;
      const older = await bob.request('history', { room: 'heavy', before: shown[0].id });

      expect(joined.data.recovered).toBe(false);
      expect(bytesOf(shown)).toBeLessThanOrEqual(16384);
      expect(shown.length).toBeGreaterThan(1);
      expect(shown.length).toBeLessThan(19);
      expect(ids(shown)).toEqual(idsOf(acks.slice(20 - shown.length)));
      expect(ids(older.data.messages)).toEqual(idsOf(acks.slice(0, 20 - shown.length)));
    });

    it('caps a history page to REPLY_MAX_BYTES, keeping the newest', async () => {
      await alice.request('join', { room: 'pages' });
      const acks = await sendMany(alice, 'pages', 30, 'm', 1000);
      await bob.request('join', { room: 'pages' });

      const page = await bob.request('history', { room: 'pages', limit: 100 });
      const messages: Message[] = page.data.messages;

      expect(bytesOf(messages)).toBeLessThanOrEqual(16384);
      expect(bytesOf(messages) + bytesOf([messages[0]])).toBeGreaterThan(16384);
      expect(ids(messages)).toEqual(idsOf(acks.slice(30 - messages.length)));
    });
  },
);
