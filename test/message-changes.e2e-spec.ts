import { ConversationKey } from '../src/engine/database/conversation-key.js';
import { parseMessageId } from '../src/engine/message-id.js';
import { databasePerSuite, DATABASE_KINDS, roomLog } from './utils/database.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './utils/redis.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import type { Frame, TestClient } from './utils/test-client.js';
import { connectUsers, userOf } from './utils/users.js';

/** Rate limits out of the way: the tests send bursts. */
const ENV: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

/** Sends a room message and resolves with its id, failing the test on anything but an ack. */
async function send(client: TestClient, room: string, text: string): Promise<string> {
  const ack = await client.request('message', { room, text });
  expect(ack.event).toBe('ack');
  return ack.data.id as string;
}

/** Sends a DM and resolves with its id. */
async function sendDm(client: TestClient, to: string, text: string): Promise<string> {
  const ack = await client.request('dm', { to, text });
  expect(ack.event).toBe('ack');
  return ack.data.id as string;
}

/** The error code and message of a reply (undefined for anything but an error). */
function errorOf(frame: Frame): { code: unknown; message: unknown } | undefined {
  return frame.event === 'error'
    ? { code: frame.data.code, message: frame.data.message }
    : undefined;
}

describe.each(DATABASE_KINDS)('edit and delete on %s', (kind) => {
  const database = databasePerSuite(kind, 'changes');
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp({ ...ENV, DATABASE_URL: database.url });
  });

  afterEach(async () => {
    await app.close();
  });

  /** Alice (two sockets) and Bob in `room`, every join answered. */
  async function threeInRoom(room: string): Promise<[TestClient, TestClient, TestClient]> {
    const [alice, aliceAgain, bob] = await connectUsers(app, 'alice', 'alice', 'bob');
    for (const client of [alice, aliceAgain, bob]) await client.request('join', { room });
    return [alice, aliceAgain, bob];
  }

  /** The stored row of a message, read straight from the database. */
  async function rowOf(conversation: string, id: string) {
    return database
      .db()
      .selectFrom('messages')
      .selectAll()
      .where('conversation', '=', conversation)
      .where('seq', '=', parseMessageId(id)!.sequence)
      .executeTakeFirstOrThrow();
  }

  it('edits a room message: acked with the target id, `edited` to the others and the author’s other socket, history shows it', async () => {
    const [alice, aliceAgain, bob] = await threeInRoom('edits');
    const id = await send(alice, 'edits', 'frist');
    await bob.next('message');
    await aliceAgain.next('message');

    const ack = await alice.request('edit', { room: 'edits', id, text: '  first  ' });

    expect(ack.event).toBe('ack');
    expect(ack.data).toMatchObject({ id, room: 'edits', ts: expect.any(Number) });
    const expected = {
      room: 'edits',
      id,
      text: 'first',
      editedAt: ack.data.ts,
      from: userOf('alice'),
    };
    expect((await bob.next('edited')).data).toEqual(expected);
    expect((await aliceAgain.next('edited')).data).toEqual(expected);
    expect(alice.inbox.filter((frame) => frame.event === 'edited')).toEqual([]);
    const history = await bob.request('history', { room: 'edits' });
    expect(history.data.messages).toEqual([
      {
        id,
        room: 'edits',
        from: userOf('alice'),
        text: 'first',
        ts: expect.any(Number),
        editedAt: ack.data.ts,
      },
    ]);
  });

  it('deletes a room message: `deleted` live, history and joined show it deleted, and its text and its edits’ texts are gone from the database', async () => {
    const [alice, aliceAgain, bob] = await threeInRoom('deletes');
    const id = await send(alice, 'deletes', 'secret one');
    await alice.request('edit', { room: 'deletes', id, text: 'secret two' });
    await alice.request('edit', { room: 'deletes', id, text: 'secret three' });

    const ack = await alice.request('delete', { room: 'deletes', id });

    expect(ack.data).toMatchObject({ id, room: 'deletes' });
    const expected = { room: 'deletes', id, deletedAt: ack.data.ts, from: userOf('alice') };
    expect((await bob.next('deleted')).data).toEqual(expected);
    expect((await aliceAgain.next('deleted')).data).toEqual(expected);
    const shown = {
      id,
      room: 'deletes',
      from: userOf('alice'),
      text: '',
      ts: expect.any(Number),
      deleted: true,
    };
    expect((await bob.request('history', { room: 'deletes' })).data.messages).toEqual([shown]);
    const [carol] = await connectUsers(app, 'carol');
    expect((await carol.request('join', { room: 'deletes' })).data.messages).toEqual([shown]);

    const rows = await database
      .db()
      .selectFrom('messages')
      .select(['kind', 'text', 'target_seq', 'deleted_at'])
      .where('conversation', '=', ConversationKey.room('deletes'))
      .orderBy('seq')
      .execute();
    expect(rows.map((row) => [row.kind, row.text])).toEqual([
      ['message', null],
      ['edit', null],
      ['edit', null],
      ['delete', null],
    ]);
    expect(rows[0].deleted_at).toBe(ack.data.ts);
    expect(rows.slice(1).map((row) => row.target_seq)).toEqual([1, 1, 1]);
    const [{ count }] = await database
      .db()
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('text', 'like', '%secret%')
      .execute();
    expect(Number(count)).toBe(0);
  });

  it('edits and deletes a DM: both users’ sockets get `edited` and `deleted` with from and to, the author’s other socket too', async () => {
    const [alice, aliceAgain, bob] = await connectUsers(app, 'alice', 'alice', 'bob');
    const id = await sendDm(alice, 'bob', 'helo');
    await bob.next('dm');
    await aliceAgain.next('dm');

    const edit = await alice.request('edit', { with: 'bob', id, text: 'hello' });

    expect(edit.event).toBe('ack');
    expect(edit.data.room).toBeUndefined();
    const edited = { to: 'bob', id, text: 'hello', editedAt: edit.data.ts, from: userOf('alice') };
    expect((await bob.next('edited')).data).toEqual(edited);
    expect((await aliceAgain.next('edited')).data).toEqual(edited);

    const deletion = await alice.request('delete', { with: 'bob', id });

    const deleted = { to: 'bob', id, deletedAt: deletion.data.ts, from: userOf('alice') };
    expect((await bob.next('deleted')).data).toEqual(deleted);
    expect((await aliceAgain.next('deleted')).data).toEqual(deleted);
    const row = await rowOf(ConversationKey.direct('alice', 'bob'), id);
    expect([row.text, row.deleted_at]).toEqual([null, deletion.data.ts]);
  });

  it('refuses a change by anyone but the author with forbidden, in a room and in a DM', async () => {
    const [alice, , bob] = await threeInRoom('theirs');
    const id = await send(alice, 'theirs', 'mine');
    const dmId = await sendDm(alice, 'bob', 'mine too');

    const answers = [
      await bob.request('edit', { room: 'theirs', id, text: 'yours' }),
      await bob.request('delete', { room: 'theirs', id }),
      await bob.request('edit', { with: 'alice', id: dmId, text: 'yours' }),
      await bob.request('delete', { with: 'alice', id: dmId }),
    ];

    expect(answers.map((answer) => errorOf(answer)?.code)).toEqual(Array(4).fill('forbidden'));
    expect((await bob.request('history', { room: 'theirs' })).data.messages[0].text).toBe('mine');
    expect(bob.socket.readyState).toBe(bob.socket.OPEN);
  });

  it('answers not_found for an id of no message of that conversation', async () => {
    const [alice] = await threeInRoom('known');
    await alice.request('join', { room: 'other' });
    await alice.request('join', { room: 'never-written' });
    const id = await send(alice, 'known', 'here');
    const editId = (await alice.request('edit', { room: 'known', id, text: 'there' })).data.id;
    const elsewhere = await send(alice, 'other', 'elsewhere');
    const [epoch] = id.split('-');

    const answers = [
      await alice.request('edit', { room: 'known', id: `${epoch}-000000000999`, text: 'x' }),
      await alice.request('delete', { room: 'known', id: 'no-such-id' }),
      await alice.request('edit', { room: 'known', id: elsewhere, text: 'x' }),
      await alice.request('delete', { room: 'never-written', id }),
      await alice.request('edit', { with: 'bob', id, text: 'x' }),
      await alice.request('delete', { room: 'known', id: `${epoch}-000000000002` }),
    ];

    expect(editId).toBe(id);
    expect(answers.map((answer) => errorOf(answer)?.code)).toEqual(Array(6).fill('not_found'));
  });

  it('refuses to edit or delete a deleted message with forbidden "message deleted"', async () => {
    const [alice] = await threeInRoom('gone');
    const id = await send(alice, 'gone', 'soon gone');
    await alice.request('delete', { room: 'gone', id });

    const answers = [
      await alice.request('edit', { room: 'gone', id, text: 'back' }),
      await alice.request('delete', { room: 'gone', id }),
    ];

    expect(answers.map(errorOf)).toEqual(
      Array(2).fill({ code: 'forbidden', message: 'message deleted' }),
    );
  });

  it('applies an edit and a delete of one message sent in the same turn in order, the second edit refused', async () => {
    const [alice, , bob] = await threeInRoom('turn');
    const id = await send(alice, 'turn', 'first');
    await bob.next('message');

    alice.send('edit', { room: 'turn', id, text: 'edited in the batch', ref: 'e1' });
    alice.send('delete', { room: 'turn', id, ref: 'd1' });
    alice.send('edit', { room: 'turn', id, text: 'after the delete', ref: 'e2' });
    const replies = [
      await alice.next((f) => f.data.ref === 'e1'),
      await alice.next((f) => f.data.ref === 'd1'),
      await alice.next((f) => f.data.ref === 'e2'),
    ];

    expect(replies.map((reply) => reply.event)).toEqual(['ack', 'ack', 'error']);
    expect(errorOf(replies[2])).toEqual({ code: 'forbidden', message: 'message deleted' });
    expect((await bob.next('edited')).data.text).toBe('edited in the batch');
    await bob.next('deleted');
    const rows = (await roomLog(database, 'turn')).map(({ kind, text }) => ({ kind, text }));
    expect(rows).toEqual([
      { kind: 'message', text: null },
      { kind: 'edit', text: null },
      { kind: 'delete', text: null },
    ]);
  });

  it('validates: text rules as for message, exactly one of room and with, an id; a room not joined is not_in_room', async () => {
    const [alice] = await threeInRoom('rules');
    const id = await send(alice, 'rules', 'text');

    const answers = [
      await alice.request('edit', { room: 'rules', id, text: '   ' }),
      await alice.request('edit', { room: 'rules', id, text: 'x'.repeat(4001) }),
      await alice.request('edit', { room: 'rules', id }),
      await alice.request('edit', { room: 'rules', with: 'bob', id, text: 'both' }),
      await alice.request('delete', { id }),
      await alice.request('delete', { room: 'rules' }),
      await alice.request('delete', { room: 'rules', id: 'x'.repeat(129) }),
      await alice.request('delete', { with: 'x'.repeat(65), id }),
    ];
    const notJoined = await alice.request('edit', { room: 'elsewhere', id, text: 'x' });

    expect(answers.map((answer) => errorOf(answer)?.code)).toEqual(
      Array(8).fill('validation_failed'),
    );
    expect(errorOf(notJoined)?.code).toBe('not_in_room');
    expect((await alice.request('history', { room: 'rules' })).data.messages[0].text).toBe('text');
  });

  it('counts edits and deletes against the per-user send rate', async () => {
    await app.close();
    app = await startApp({ ...ENV, USER_RATE_LIMIT_PER_SECOND: '3', DATABASE_URL: database.url });
    const [alice] = await threeInRoom('rate');
    const id = await send(alice, 'rate', 'one');

    for (let i = 0; i < 6; i += 1)
      alice.send('edit', { room: 'rate', id, text: `v${i}`, ref: `e${i}` });
    const replies: Frame[] = [];
    for (let i = 0; i < 6; i += 1) replies.push(await alice.next((f) => f.data.ref === `e${i}`));

    expect(
      replies.filter((reply) => errorOf(reply)?.code === 'rate_limited').length,
    ).toBeGreaterThan(0);
  });

  it('replays on join since the edits and deletions of messages at or before since as changes, newer messages in current state', async () => {
    const [alice, , bob] = await threeInRoom('replay');
    const kept = await send(alice, 'replay', 'kept');
    const edited = await send(alice, 'replay', 'to edit');
    const removed = await send(alice, 'replay', 'to delete');
    await bob.close();

    const first = await alice.request('edit', { room: 'replay', id: edited, text: 'edited once' });
    const second = await alice.request('edit', {
      room: 'replay',
      id: edited,
      text: 'edited twice',
    });
    const deletion = await alice.request('delete', { room: 'replay', id: removed });
    const newer = await send(alice, 'replay', 'newer');
    const newerEdit = await alice.request('edit', {
      room: 'replay',
      id: newer,
      text: 'newer, edited',
    });
    const [back] = await connectUsers(app, 'bob');

    const joined = await back.request('join', { room: 'replay', since: removed });

    expect(first.event).toBe('ack');
    expect(joined.data.recovered).toBe(true);
    expect(joined.data.changes).toEqual([
      { id: edited, action: 'edited', text: 'edited twice', at: second.data.ts },
      { id: removed, action: 'deleted', at: deletion.data.ts },
    ]);
    expect(joined.data.messages).toEqual([
      {
        id: newer,
        room: 'replay',
        from: userOf('alice'),
        text: 'newer, edited',
        ts: expect.any(Number),
        editedAt: newerEdit.data.ts,
      },
    ]);
    const since = await back.request('join', { room: 'replay', since: kept });
    expect(since.data.messages.map((m: { text: string }) => m.text)).toEqual([
      'edited twice',
      '',
      'newer, edited',
    ]);
    expect(since.data.changes).toEqual([]);
  });

  it('counts edit entries against RECOVERY_MAX_MESSAGES', async () => {
    await app.close();
    app = await startApp({ ...ENV, RECOVERY_MAX_MESSAGES: '3', DATABASE_URL: database.url });
    const [alice, , bob] = await threeInRoom('budget');
    const id = await send(alice, 'budget', 'base');
    for (let i = 0; i < 4; i += 1)
      await alice.request('edit', { room: 'budget', id, text: `v${i}` });

    const joined = await bob.request('join', { room: 'budget', since: id });

    expect(joined.data.recovered).toBe(false);
    expect(joined.data.changes).toEqual([]);
    expect(joined.data.messages).toEqual([expect.objectContaining({ id, text: 'v3' })]);
  });
});

describe.each([
  ['memory', {}],
  ['Redis without a database', { REDIS_URL }],
] as const)('edit and delete in %s mode', (_mode, env) => {
  const prefix = uniquePrefix('changes-unavailable');
  let app: TestApp;

  beforeEach(async () => {
    app = await startApp({ ...ENV, ...env, REDIS_KEY_PREFIX: prefix });
  });

  afterEach(async () => {
    await app.close();
    await deletePrefix(prefix);
  });

  it('answers unavailable "needs a database (DATABASE_URL)", and messages still work', async () => {
    const [alice] = await connectUsers(app, 'alice');
    await alice.request('join', { room: 'plain' });
    const id = await send(alice, 'plain', 'hi');

    const answers = [
      await alice.request('edit', { room: 'plain', id, text: 'x' }),
      await alice.request('delete', { with: 'bob', id }),
    ];

    expect(answers.map(errorOf)).toEqual(
      Array(2).fill({ code: 'unavailable', message: 'needs a database (DATABASE_URL)' }),
    );
    expect((await alice.request('history', { room: 'plain' })).data.messages[0].text).toBe('hi');
  });
});
