import { ConversationKey } from '../src/engine/database/conversation-key.js';
import { databasePerSuite, DATABASE_KINDS } from './utils/database.js';
import { startApp, type TestApp } from './utils/test-app.js';
import type { TestClient } from './utils/test-client.js';
import { connectUsers } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const DAY_MS = 86_400_000;
/** More than one purge statement's worth (1000 rows), so that the purge goes batch after batch. */
const BULK_ROWS = 2100;

/** Sends a room message and resolves with its id. */
async function send(client: TestClient, room: string, text: string): Promise<string> {
  const ack = await client.request('message', { room, text });
  expect(ack.event).toBe('ack');
  return ack.data.id as string;
}

/**
 * The cut-off is made testable by backdating rows in the database (two days old, against a retention of
 * one day) rather than by a retention of a second or so, which would race the test on a loaded machine.
 */
describe.each(DATABASE_KINDS)('history retention on %s', (kind) => {
  const database = databasePerSuite(kind, 'retention');
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp({
      DATABASE_URL: database.url,
      HISTORY_RETENTION_DAYS: '1',
      HISTORY_PURGE_INTERVAL_MS: '100',
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '1000',
    });
  });

  afterEach(async () => {
    await app.close();
  });

  /** How many entries older than the retention the database still holds. */
  async function expiredLeft(): Promise<number> {
    const [{ count }] = await database
      .db()
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('ts', '<', Date.now() - DAY_MS)
      .execute();
    return Number(count);
  }

  it('purges entries past the retention in batches, keeps newer ones, and recovery and history stop at the oldest kept', async () => {
    const [alice, bob] = await connectUsers(app, 'alice', 'bob');
    await alice.request('join', { room: 'aging' });
    const old = [];
    for (const text of ['o0', 'o1', 'o2']) old.push(await send(alice, 'aging', text));
    await alice.request('edit', { room: 'aging', id: old[2], text: 'o2 edited' });
    const twoDaysAgo = Date.now() - 2 * DAY_MS;
    const db = database.db();
    await db
      .updateTable('messages')
      .set({ ts: twoDaysAgo })
      .where('conversation', '=', ConversationKey.room('aging'))
      .execute();
    const bulk = Array.from({ length: BULK_ROWS }, (_, i) => ({
      conversation: ConversationKey.room('bulk'),
      seq: i + 1,
      kind: 'message' as const,
      target_seq: null,
      sender_id: 'old',
      sender_name: 'old',
      text: `b${i}`,
      ts: twoDaysAgo,
      client_msg_id: null,
      ordinal: i + 1,
    }));
    for (let start = 0; start < bulk.length; start += 500)
      await db
        .insertInto('messages')
        .values(bulk.slice(start, start + 500))
        .execute();

    await waitFor(async () => (await expiredLeft()) === 0, 'the purge of the expired entries');
    const kept = await send(alice, 'aging', 'new');

    await bob.request('join', { room: 'aging' });
    const recovery = await bob.request('join', { room: 'aging', since: old[1] });
    expect(recovery.data.recovered).toBe(false);
    expect(recovery.data.messages.map((m: { text: string }) => m.text)).toEqual(['new']);
    const history = await bob.request('history', { room: 'aging', before: kept });
    expect(history.data.messages).toEqual([]);
    const fromKept = await bob.request('join', { room: 'aging', since: kept });
    expect([fromKept.data.recovered, fromKept.data.messages]).toEqual([true, []]);
    const editGone = await alice.request('edit', { room: 'aging', id: old[0], text: 'x' });
    expect(editGone.data.code).toBe('not_found');
    const left = await db
      .selectFrom('messages')
      .select(['conversation', 'text'])
      .where('conversation', 'in', [ConversationKey.room('aging'), ConversationKey.room('bulk')])
      .execute();
    expect(left).toEqual([{ conversation: ConversationKey.room('aging'), text: 'new' }]);
  });
});
