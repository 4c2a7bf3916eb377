import { ChatPublisher, CloseCode } from '../src/index.js';
import { databasePerSuite } from './utils/database.js';
import { appPerTest, type TestApp } from './utils/test-app.js';
import type { TestClient } from './utils/test-client.js';
import { asTokenUser, upgradeStatus, userOf } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';

const SECRET = 'moderation-e2e-secret-0123456789';
const MODERATOR = { roles: ['moderator'] };

/** Connects `uid` to `app` in JWT mode, with `claims` (roles) besides. */
async function connect(
  app: TestApp,
  uid: string,
  claims: Record<string, unknown> = {},
): Promise<TestClient> {
  return app.connect(await asTokenUser(uid, SECRET, claims));
}

/** Connects each of them and has them join `room`; the clients in that order. */
async function inRoom(app: TestApp, room: string, ...users: Array<[string, object?]>) {
  const clients: TestClient[] = [];
  for (const [uid, claims] of users) {
    const client = await connect(app, uid, claims as Record<string, unknown>);
    expect((await client.request('join', { room })).event).toBe('joined');
    clients.push(client);
  }
  return clients;
}

/**
 * In slow mode, a resend of an acked message (same clientMsgId, its ack lost) gets the first ack, not
 * `rate_limited`; a new message, with or without a clientMsgId, still waits; the room holds the first once.
 */
async function resendInSlowMode(app: TestApp): Promise<void> {
  const [mod, ada, bob] = await inRoom(app, 'ops', ['mod', MODERATOR], ['ada'], ['bob']);
  await mod.request('slowmode', { room: 'ops', seconds: 30 });

  const first = await ada.request('message', { room: 'ops', text: 'one', clientMsgId: 'c-1' });
  expect(first.event).toBe('ack');
  expect((await bob.next('message')).data.text).toBe('one');
  const resent = await ada.request('message', { room: 'ops', text: 'one', clientMsgId: 'c-1' });
  const other = await ada.request('message', { room: 'ops', text: 'two', clientMsgId: 'c-2' });
  const bare = await ada.request('message', { room: 'ops', text: 'three' });

  expect(resent).toMatchObject({ event: 'ack', data: { id: first.data.id, ts: first.data.ts } });
  expect(other.data.code).toBe('rate_limited');
  expect(bare.data.code).toBe('rate_limited');
  const history = await bob.request('history', { room: 'ops' });
  expect(history.data.messages.map((m: { text: string }) => m.text)).toEqual(['one']);
}

describe('moderation in-band, by a user with the moderator role', () => {
  const sut = appPerTest({ JWT_SECRET: SECRET });

  it('bans from a room: the user is taken out at once and refused on rejoin with the reason and until', async () => {
    const [mod, ada, bob] = await inRoom(sut, 'ops', ['mod', MODERATOR], ['ada'], ['bob']);

    const answer = await mod.request('ban', {
      userId: 'ada',
      room: 'ops',
      durationMs: 60_000,
      reason: 'spam',
    });

    expect(answer.event).toBe('moderation');
    const { until } = answer.data;
    expect(until).toBeGreaterThan(Date.now());
    expect(answer.data).toMatchObject({
      action: 'ban',
      userId: 'ada',
      room: 'ops',
      reason: 'spam',
    });
    expect((await ada.next('moderated')).data).toEqual({
      action: 'banned',
      room: 'ops',
      until,
      reason: 'spam',
    });
    expect((await ada.next('left')).data).toEqual({ room: 'ops' });
    const leave = await bob.next((f) => f.event === 'presence' && f.data.action === 'leave');
    expect(leave.data.user).toEqual(userOf('ada'));
    expect((await bob.next('moderation')).data).toMatchObject({ action: 'ban', userId: 'ada' });
    const rejoin = await ada.request('join', { room: 'ops' });
    expect(rejoin.data).toMatchObject({
      code: 'forbidden',
      message: 'banned from "ops": spam',
      details: { until, reason: 'spam' },
    });
    const refused = await ada.request('message', { room: 'ops', text: 'still here?' });
    expect(refused.data.code).toBe('not_in_room');
  });

  it('lets a timed ban end by itself, and lifts another with unban', async () => {
    const [mod] = await inRoom(sut, 'ops', ['mod', MODERATOR]);
    const ada = await connect(sut, 'ada');
    await mod.request('ban', { userId: 'ada', room: 'ops', durationMs: 300 });
    await mod.request('ban', { userId: 'ada', room: 'dev' });
    expect((await ada.request('join', { room: 'ops' })).data.code).toBe('forbidden');

    await waitFor(
      async () => (await ada.request('join', { room: 'ops' })).event === 'joined',
      'the timed ban from ops to end',
      5000,
      100,
    );
    expect((await ada.request('join', { room: 'dev' })).data.code).toBe('forbidden');
    expect((await mod.request('unban', { userId: 'ada', room: 'dev' })).data).toMatchObject({
      action: 'unban',
      userId: 'ada',
      room: 'dev',
    });
    expect(
      (await ada.next((f) => f.event === 'moderated' && f.data.action === 'unbanned')).data,
    ).toEqual({ action: 'unbanned', room: 'dev' });
    expect((await ada.request('join', { room: 'dev' })).event).toBe('joined');
  });

  it('bans from the service: every socket of the user closes with 4003, and the upgrade is refused with 403 until unbanned', async () => {
    const mod = await connect(sut, 'mod', MODERATOR);
    const phone = await connect(sut, 'ada');
    const laptop = await connect(sut, 'ada');

    await mod.request('ban', { userId: 'ada', reason: 'abuse' });

    for (const socket of [phone, laptop])
      expect(await socket.waitClosed()).toEqual({
        code: CloseCode.ServerDisconnect,
        reason: 'banned: abuse',
      });
    expect(await upgradeStatus(sut, await asTokenUser('ada', SECRET))).toBe(403);
    expect(await upgradeStatus(sut, await asTokenUser('bob', SECRET))).toBe(101);
    await mod.request('unban', { userId: 'ada' });
    expect(await upgradeStatus(sut, await asTokenUser('ada', SECRET))).toBe(101);
  });

  it("mutes in a room: the user's messages there get forbidden with when the mute ends, until unmuted", async () => {
    const [mod, ada, bob] = await inRoom(sut, 'ops', ['mod', MODERATOR], ['ada'], ['bob']);

    const muted = await mod.request('mute', {
      userId: 'ada',
      room: 'ops',
      durationMs: 60_000,
      reason: 'calm down',
    });

    const { until } = muted.data;
    expect((await ada.next('moderated')).data).toEqual({
      action: 'muted',
      room: 'ops',
      until,
      reason: 'calm down',
    });
    const refused = await ada.request('message', { room: 'ops', text: 'hello?' });
    expect(refused.data).toMatchObject({
      code: 'forbidden',
      message: 'muted in "ops": calm down',
      details: { until, reason: 'calm down' },
    });
    expect((await bob.request('message', { room: 'ops', text: 'fine here' })).event).toBe('ack');
    await mod.request('unmute', { userId: 'ada', room: 'ops' });
    expect((await ada.request('message', { room: 'ops', text: 'back' })).event).toBe('ack');
  });

  it('slow mode: a second message within the interval gets rate_limited with retryAfterMs; moderators are exempt', async () => {
    const [mod, ada, bob] = await inRoom(sut, 'ops', ['mod', MODERATOR], ['ada'], ['bob']);

    await mod.request('slowmode', { room: 'ops', seconds: 30 });

    expect((await bob.next('moderation')).data).toEqual({
      action: 'slowmode',
      room: 'ops',
      seconds: 30,
    });
    expect((await ada.request('message', { room: 'ops', text: 'one' })).event).toBe('ack');
    const second = await ada.request('message', { room: 'ops', text: 'two' });
    expect(second.data.code).toBe('rate_limited');
    expect(second.data.details.retryAfterMs).toBeGreaterThan(25_000);
    expect(second.data.details.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect((await bob.request('message', { room: 'ops', text: 'mine' })).event).toBe('ack');
    for (const text of ['a', 'b', 'c'])
      expect((await mod.request('message', { room: 'ops', text })).event).toBe('ack');
    await mod.request('slowmode', { room: 'ops', seconds: 0 });
    expect((await ada.request('message', { room: 'ops', text: 'two' })).event).toBe('ack');
  });

  it('slow mode: a message refused before it could be stored (invalid, too long) takes no slot', async () => {
    const [mod, ada] = await inRoom(sut, 'ops', ['mod', MODERATOR], ['ada']);
    await mod.request('slowmode', { room: 'ops', seconds: 30 });

    const refused = [
      { room: 'ops' },
      { room: 'ops', text: '   ' },
      { room: 'ops', text: 'x'.repeat(4001) },
    ];
    for (const data of refused)
      expect((await ada.request('message', data)).data.code).toBe('validation_failed');

    expect((await ada.request('message', { room: 'ops', text: 'one' })).event).toBe('ack');
    expect((await ada.request('message', { room: 'ops', text: 'two' })).data.code).toBe(
      'rate_limited',
    );
  });

  it('slow mode answers a resend of an acked message (same clientMsgId) with its first ack, and only that', () =>
    resendInSlowMode(sut));

  it('refuses every moderation event to a user without the role, and the service ban to a room moderator', async () => {
    const [ada] = await inRoom(sut, 'ops', ['ada']);
    const roomMod = await connect(sut, 'rm', { roles: ['moderator:ops'] });
    const requests: Array<[string, Record<string, unknown>]> = [
      ['ban', { userId: 'bob', room: 'ops' }],
      ['unban', { userId: 'bob', room: 'ops' }],
      ['mute', { userId: 'bob', room: 'ops', durationMs: 1000 }],
      ['unmute', { userId: 'bob', room: 'ops' }],
      ['slowmode', { room: 'ops', seconds: 5 }],
    ];

    for (const [event, data] of requests)
      expect((await ada.request(event, data)).data).toMatchObject({
        code: 'forbidden',
        message: 'you do not moderate "ops"',
      });
    expect((await roomMod.request('ban', { userId: 'bob' })).data.code).toBe('forbidden');
    expect((await roomMod.request('ban', { userId: 'bob', room: 'dev' })).data.code).toBe(
      'forbidden',
    );
    expect((await roomMod.request('ban', { userId: 'bob', room: 'ops' })).event).toBe('moderation');
  });

  it('validates the requests: a positive whole duration, a reason of bounded length', async () => {
    const mod = await connect(sut, 'mod', MODERATOR);

    const noDuration = await mod.request('mute', { userId: 'ada', room: 'ops', durationMs: 0 });
    const longReason = await mod.request('ban', { userId: 'ada', reason: 'x'.repeat(201) });
    const noUser = await mod.request('unmute', { room: 'ops' });

    expect(noDuration.data.code).toBe('validation_failed');
    expect(longReason.data.code).toBe('validation_failed');
    expect(noUser.data.code).toBe('validation_failed');
  });

  it("through the host's ChatPublisher: bans, mutes, slow mode and reads of the state", async () => {
    const [ada, bob] = await inRoom(sut, 'ops', ['ada'], ['bob']);
    const publisher = sut.app.get(ChatPublisher);

    await publisher.mute('bob', 'ops', { durationMs: 60_000, reason: 'flood' });
    await publisher.setSlowMode('ops', 20);
    await publisher.ban('ada', { room: 'ops', reason: 'spam' });

    expect((await ada.next('left')).data).toEqual({ room: 'ops' });
    expect((await bob.request('message', { room: 'ops', text: 'x' })).data.code).toBe('forbidden');
    const report = publisher.roomModeration('ops');
    expect(report).toMatchObject({
      room: 'ops',
      slowModeSeconds: 20,
      bans: [{ userId: 'ada', room: 'ops', reason: 'spam', by: 'server:system' }],
      mutes: [{ userId: 'bob', room: 'ops', reason: 'flood' }],
    });
    expect(report.bans[0].until).toBeUndefined();
    expect(publisher.userModeration('ada').bans).toHaveLength(1);
    await publisher.unban('ada', { room: 'ops' });
    expect((await ada.request('join', { room: 'ops' })).event).toBe('joined');
  });
});

describe('deleting any message as a moderator (SQLite)', () => {
  const database = databasePerSuite('sqlite', 'moderation');
  const sut = appPerTest(() => ({ JWT_SECRET: SECRET, DATABASE_URL: database.url }));

  it("refuses another's message to a user, and deletes it for a moderator: the room gets deleted", async () => {
    const [mod, ada, bob] = await inRoom(sut, 'ops', ['mod', MODERATOR], ['ada'], ['bob']);
    const sent = await ada.request('message', { room: 'ops', text: 'spam spam' });

    const byBob = await bob.request('delete', { room: 'ops', id: sent.data.id });
    const byMod = await mod.request('delete', { room: 'ops', id: sent.data.id });

    expect(byBob.data.code).toBe('forbidden');
    expect(byMod.event).toBe('ack');
    for (const member of [ada, bob]) {
      const deleted = await member.next('deleted');
      expect(deleted.data).toMatchObject({ room: 'ops', id: sent.data.id, from: userOf('mod') });
    }
  });

  it("deletes anyone's message through the host's ChatPublisher", async () => {
    const [ada, bob] = await inRoom(sut, 'news', ['ada'], ['bob']);
    const sent = await ada.request('message', { room: 'news', text: 'spam' });
    await bob.next('message');

    const deleted = await sut.app.get(ChatPublisher).deleteMessage('news', sent.data.id);

    expect(deleted).toMatchObject({ id: sent.data.id, room: 'news' });
    expect((await bob.next('deleted')).data).toMatchObject({
      id: sent.data.id,
      from: { id: 'server:system', name: 'System' },
    });
    const history = await ada.request('history', { room: 'news' });
    expect(history.data.messages).toEqual([expect.objectContaining({ deleted: true, text: '' })]);
  });
});

describe('slow mode on PostgreSQL', () => {
  const database = databasePerSuite('postgres', 'moderation');
  const sut = appPerTest(() => ({ JWT_SECRET: SECRET, DATABASE_URL: database.url }));

  it('answers a resend of an acked message with its first ack, found in the database', () =>
    resendInSlowMode(sut));
});
