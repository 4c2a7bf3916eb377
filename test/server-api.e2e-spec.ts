import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { CloseCode, SwitchboardModule, useSwitchboard } from '../src/index.js';
import { ROOM_MODERATION_SCOPES } from '../src/config/server-api-keys.js';
import { apiKey, apiKeysEnv, type TestApiKey } from './utils/api-keys.js';
import { databasePerSuite } from './utils/database.js';
import { serveApp, startApp, type TestApp } from './utils/test-app.js';
import { asUser, connectUsers, upgradeStatus, userOf } from './utils/users.js';

const system = { id: 'server:system', name: 'System' };
const PROBLEM = /^application\/problem\+json/;

/** Every route of the API: method, path (OpenAPI style) and a concrete path to call. */
const ROUTES = [
  ['get', '/api/v1/rooms/{room}', '/api/v1/rooms/ops'],
  ['post', '/api/v1/rooms/{room}/messages', '/api/v1/rooms/ops/messages'],
  ['get', '/api/v1/rooms/{room}/messages', '/api/v1/rooms/ops/messages'],
  ['post', '/api/v1/rooms/{room}/events', '/api/v1/rooms/ops/events'],
  ['get', '/api/v1/rooms/{room}/members', '/api/v1/rooms/ops/members'],
  ['delete', '/api/v1/rooms/{room}/members/{userId}', '/api/v1/rooms/ops/members/bob'],
  ['post', '/api/v1/users/{userId}/messages', '/api/v1/users/bob/messages'],
  ['post', '/api/v1/users/{userId}/events', '/api/v1/users/bob/events'],
  ['post', '/api/v1/users/{userId}/disconnect', '/api/v1/users/bob/disconnect'],
  [
    'get',
    '/api/v1/users/{userId}/conversations/{withUserId}/messages',
    '/api/v1/users/bob/conversations/alice/messages',
  ],
  ['put', '/api/v1/rooms/{room}/bans/{userId}', '/api/v1/rooms/ops/bans/bob'],
  ['delete', '/api/v1/rooms/{room}/bans/{userId}', '/api/v1/rooms/ops/bans/bob'],
  ['put', '/api/v1/rooms/{room}/mutes/{userId}', '/api/v1/rooms/ops/mutes/bob'],
  ['delete', '/api/v1/rooms/{room}/mutes/{userId}', '/api/v1/rooms/ops/mutes/bob'],
  ['put', '/api/v1/rooms/{room}/slow-mode', '/api/v1/rooms/ops/slow-mode'],
  ['delete', '/api/v1/rooms/{room}/messages/{id}', '/api/v1/rooms/ops/messages/m1'],
  ['get', '/api/v1/rooms/{room}/moderation', '/api/v1/rooms/ops/moderation'],
  ['put', '/api/v1/users/{userId}/ban', '/api/v1/users/bob/ban'],
  ['delete', '/api/v1/users/{userId}/ban', '/api/v1/users/bob/ban'],
  ['get', '/api/v1/users/{userId}/moderation', '/api/v1/users/bob/moderation'],
] as const;

describe('the server HTTP API, with keys', () => {
  const admin = apiKey('admin');
  const deploys = apiKey('deploys', ['publish', 'roomInfo'], ['ops', 'team-*']);
  /** Room info alone, in rooms no route below names. */
  const narrow = apiKey('narrow', ['roomInfo'], ['elsewhere']);
  const teamModerators = apiKey('team-mods', [...ROOM_MODERATION_SCOPES], ['team-*']);
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp({
      ...apiKeysEnv(admin, deploys, narrow, teamModerators),
      SERVER_API_RATE_PER_SECOND: '1000',
      SERVER_API_RATE_BURST: '1000',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  const api = () => request(sut.httpUrl);

  describe('rooms', () => {
    it('publishes a message that a member on a WebSocket receives, with the id the API answered', async () => {
      const [alice] = await connectUsers(sut, 'alice');
      await alice.request('join', { room: 'ops' });

      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: ' deploy 1.4.2 finished ' });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        room: 'ops',
        from: system,
        text: 'deploy 1.4.2 finished',
        ts: expect.any(Number),
      });
      expect(response.headers['idempotent-replayed']).toBeUndefined();
      expect((await alice.next('message', 'the message the API published')).data).toEqual(
        response.body,
      );
    });

    it('publishes as a server sender the body names', async () => {
      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: 'hi', from: { id: 'server:deploys', name: 'Deploys' } });

      expect(response.status).toBe(201);
      expect(response.body.from).toEqual({ id: 'server:deploys', name: 'Deploys' });
    });

    it('answers a replayed Idempotency-Key with the first status and body, marked replayed, storing once', async () => {
      const [alice] = await connectUsers(sut, 'alice');
      await alice.request('join', { room: 'replays' });
      const post = () =>
        api()
          .post('/api/v1/rooms/replays/messages')
          .set(admin.bearer)
          .set('Idempotency-Key', 'release-42')
          .send({ text: 'released' });

      const first = await post();
      const replay = await post();

      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect((await alice.collect('message', 200)).map((frame) => frame.data.id)).toEqual([
        first.body.id,
      ]);
    });

    it('keeps the Idempotency-Keys of two API keys apart', async () => {
      const viaAdmin = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .set('Idempotency-Key', 'shared-key')
        .send({ text: 'from admin' });
      const viaDeploys = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(deploys.bearer)
        .set('Idempotency-Key', 'shared-key')
        .send({ text: 'from deploys' });

      expect(viaDeploys.headers['idempotent-replayed']).toBeUndefined();
      expect(viaDeploys.body.id).not.toBe(viaAdmin.body.id);
      expect(viaDeploys.body.text).toBe('from deploys');
    });

    it('refuses an Idempotency-Key over 256 characters with 400 naming the header', async () => {
      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .set('Idempotency-Key', 'k'.repeat(257))
        .send({ text: 'hi' });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'Idempotency-Key', errors: ['Idempotency-Key must be 1 to 256 characters'] },
      ]);
    });

    it('reads a page of the room history, oldest first', async () => {
      for (const text of ['one', 'two', 'three'])
        await api().post('/api/v1/rooms/paged/messages').set(admin.bearer).send({ text });

      const page = await api().get('/api/v1/rooms/paged/messages?limit=2').set(admin.bearer);
      const older = await api()
        .get(`/api/v1/rooms/paged/messages?before=${page.body.messages[0].id}`)
        .set(admin.bearer);

      expect(page.status).toBe(200);
      expect(page.body.messages.map((m: { text: string }) => m.text)).toEqual(['two', 'three']);
      expect(older.body.messages.map((m: { text: string }) => m.text)).toEqual(['one']);
    });

    it('sends a custom event to the sockets of a room', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'deploys' });

      const response = await api()
        .post('/api/v1/rooms/deploys/events')
        .set(admin.bearer)
        .send({ event: 'deploy.status', data: { stage: 'canary' } });

      expect(response.status).toBe(202);
      expect(response.text).toBe('');
      expect(await alice.next('deploy.status')).toEqual({
        event: 'deploy.status',
        data: { stage: 'canary' },
      });
      expect(await bob.collect('deploy.status', 100)).toEqual([]);
    });

    it('lists the members of a room and tells its count and latest message id', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'crew' });
      await bob.request('join', { room: 'crew' });
      const ack = await alice.request('message', { room: 'crew', text: 'latest' });

      const members = await api().get('/api/v1/rooms/crew/members').set(admin.bearer);
      const info = await api().get('/api/v1/rooms/crew').set(admin.bearer);
      const empty = await api().get('/api/v1/rooms/nobody-here').set(admin.bearer);

      expect(members.status).toBe(200);
      expect(members.body.count).toBe(2);
      expect(members.body.members).toEqual(
        expect.arrayContaining([userOf('alice'), userOf('bob')]),
      );
      expect(info.body).toEqual({ room: 'crew', count: 2, latestMessageId: ack.data.id });
      expect(empty.body).toEqual({ room: 'nobody-here', count: 0, latestMessageId: null });
    });

    it('takes a user out of a room: they get left, the others a presence leave', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kick' });
      await bob.request('join', { room: 'kick' });

      const response = await api().delete('/api/v1/rooms/kick/members/bob').set(admin.bearer);

      expect(response.status).toBe(202);
      expect(await bob.next('left')).toEqual({ event: 'left', data: { room: 'kick' } });
      const leave = await alice.next(
        (frame) => frame.event === 'presence' && frame.data.action === 'leave',
        "bob's presence leave",
      );
      expect(leave.data.user).toEqual(userOf('bob'));
    });
  });

  describe('users', () => {
    it('sends a DM to every socket of the user, and a replay returns the same body', async () => {
      const laptop = await sut.connect(asUser('carol'));
      const phone = await sut.connect(asUser('carol'));
      const post = () =>
        api()
          .post('/api/v1/users/carol/messages')
          .set(admin.bearer)
          .set('Idempotency-Key', 'welcome-carol')
          .send({ text: 'welcome' });

      const first = await post();
      const replay = await post();

      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.any(String),
        from: system,
        to: 'carol',
        text: 'welcome',
        ts: expect.any(Number),
      });
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      for (const socket of [laptop, phone])
        expect((await socket.next('dm', "carol's copy of the DM")).data).toEqual(first.body);
      expect(await laptop.collect('dm', 150)).toEqual([]);
    });

    it('sends a custom event to every socket of the user', async () => {
      const [dave] = await connectUsers(sut, 'dave');

      const response = await api()
        .post('/api/v1/users/dave/events')
        .set(admin.bearer)
        .send({ event: 'nudge', data: { from: 'ops team' } });

      expect(response.status).toBe(202);
      expect(await dave.next('nudge')).toEqual({ event: 'nudge', data: { from: 'ops team' } });
    });

    it('disconnects every socket of the user with 4003 and the reason', async () => {
      const [erin] = await connectUsers(sut, 'erin');

      const response = await api()
        .post('/api/v1/users/erin/disconnect')
        .set(admin.bearer)
        .send({ reason: 'account closed' });

      expect(response.status).toBe(202);
      expect(await erin.waitClosed()).toEqual({
        code: CloseCode.ServerDisconnect,
        reason: 'account closed',
      });
    });

    it('disconnects with the default reason when the call has no body', async () => {
      const [frank] = await connectUsers(sut, 'frank');

      const response = await api().post('/api/v1/users/frank/disconnect').set(admin.bearer);

      expect(response.status).toBe(202);
      expect((await frank.waitClosed()).reason).toBe('disconnected by the server');
    });

    it('answers DM history with 503 unavailable on the memory engine', async () => {
      const response = await api()
        .get('/api/v1/users/bob/conversations/alice/messages')
        .set(admin.bearer);

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status: 503, code: 'unavailable' });
    });
  });

  describe('moderation', () => {
    it('bans a user from a room: they get moderated and left at once, a rejoin is refused, a DELETE lets them back', async () => {
      const [mallory, walter] = await connectUsers(sut, 'mallory', 'walter');
      await mallory.request('join', { room: 'lounge' });
      await walter.request('join', { room: 'lounge' });

      const banned = await api()
        .put('/api/v1/rooms/lounge/bans/mallory')
        .set(admin.bearer)
        .send({ durationMs: 60_000, reason: 'spam' });

      expect(banned.status).toBe(200);
      const { until } = banned.body;
      expect(until).toBeGreaterThan(Date.now());
      expect(banned.body).toEqual({
        action: 'ban',
        room: 'lounge',
        userId: 'mallory',
        until,
        reason: 'spam',
      });
      expect((await mallory.next('moderated')).data).toEqual({
        action: 'banned',
        room: 'lounge',
        until,
        reason: 'spam',
      });
      expect((await mallory.next('left')).data).toEqual({ room: 'lounge' });
      expect((await walter.next('moderation')).data).toEqual(banned.body);
      expect((await mallory.request('join', { room: 'lounge' })).data).toMatchObject({
        code: 'forbidden',
        message: 'banned from "lounge": spam',
        details: { until, reason: 'spam' },
      });

      const lifted = await api().delete('/api/v1/rooms/lounge/bans/mallory').set(admin.bearer);

      expect(lifted.status).toBe(204);
      expect(lifted.text).toBe('');
      expect(
        (await mallory.next((frame) => frame.data.action === 'unbanned', 'the unban')).data,
      ).toEqual({ action: 'unbanned', room: 'lounge' });
      expect((await mallory.request('join', { room: 'lounge' })).event).toBe('joined');
    });

    it('bans a user from the service: every socket closes with 4003, the upgrade is refused with 403 until lifted', async () => {
      const phone = await sut.connect(asUser('oscar'));
      const laptop = await sut.connect(asUser('oscar'));

      const banned = await api()
        .put('/api/v1/users/oscar/ban')
        .set(admin.bearer)
        .send({ reason: 'fraud' });

      expect(banned.status).toBe(200);
      expect(banned.body).toEqual({ action: 'ban', userId: 'oscar', reason: 'fraud' });
      for (const socket of [phone, laptop])
        expect(await socket.waitClosed()).toEqual({
          code: CloseCode.ServerDisconnect,
          reason: 'banned: fraud',
        });
      expect(await upgradeStatus(sut, asUser('oscar'))).toBe(403);

      const lifted = await api().delete('/api/v1/users/oscar/ban').set(admin.bearer);

      expect(lifted.status).toBe(204);
      expect(await upgradeStatus(sut, asUser('oscar'))).toBe(101);
    });

    it('mutes a user in a room: their messages get forbidden with when it ends, until the mute is deleted', async () => {
      const [peggy, walter] = await connectUsers(sut, 'peggy', 'walter');
      await peggy.request('join', { room: 'quiet' });
      await walter.request('join', { room: 'quiet' });

      const muted = await api()
        .put('/api/v1/rooms/quiet/mutes/peggy')
        .set(admin.bearer)
        .send({ durationMs: 60_000, reason: 'calm down' });

      expect(muted.status).toBe(200);
      expect(muted.body).toMatchObject({ action: 'mute', room: 'quiet', userId: 'peggy' });
      const refused = await peggy.request('message', { room: 'quiet', text: 'hello?' });
      expect(refused.data).toMatchObject({
        code: 'forbidden',
        message: 'muted in "quiet": calm down',
        details: { until: muted.body.until, reason: 'calm down' },
      });
      expect((await walter.request('message', { room: 'quiet', text: 'fine' })).event).toBe('ack');

      const lifted = await api().delete('/api/v1/rooms/quiet/mutes/peggy').set(admin.bearer);

      expect(lifted.status).toBe(204);
      expect((await peggy.request('message', { room: 'quiet', text: 'back' })).event).toBe('ack');
    });

    it('sets slow mode: a second message within it gets rate_limited; 0 turns it off', async () => {
      const [victor] = await connectUsers(sut, 'victor');
      await victor.request('join', { room: 'slow' });

      const set = await api()
        .put('/api/v1/rooms/slow/slow-mode')
        .set(admin.bearer)
        .send({ seconds: 30 });

      expect(set.status).toBe(200);
      expect(set.body).toEqual({ action: 'slowmode', room: 'slow', seconds: 30 });
      expect((await victor.request('message', { room: 'slow', text: 'one' })).event).toBe('ack');
      const second = await victor.request('message', { room: 'slow', text: 'two' });
      expect(second.data.code).toBe('rate_limited');
      expect(second.data.details.retryAfterMs).toBeGreaterThan(25_000);

      const off = await api()
        .put('/api/v1/rooms/slow/slow-mode')
        .set(admin.bearer)
        .send({ seconds: 0 });

      expect(off.body).toEqual({ action: 'slowmode', room: 'slow', seconds: 0 });
      expect((await victor.request('message', { room: 'slow', text: 'two' })).event).toBe('ack');
    });

    it('reads the moderation of a room and of a user, each entry by server:api-<key id>', async () => {
      await api().put('/api/v1/rooms/audit/bans/trudy').set(admin.bearer).send({ reason: 'spam' });
      await api()
        .put('/api/v1/rooms/team-audit/mutes/trudy')
        .set(teamModerators.bearer)
        .send({ durationMs: 60_000 });
      await api().put('/api/v1/rooms/audit/slow-mode').set(admin.bearer).send({ seconds: 5 });

      const room = await api().get('/api/v1/rooms/audit/moderation').set(admin.bearer);
      const user = await api().get('/api/v1/users/trudy/moderation').set(admin.bearer);
      const nobody = await api().get('/api/v1/users/nobody/moderation').set(admin.bearer);

      const ban = {
        userId: 'trudy',
        room: 'audit',
        reason: 'spam',
        by: 'server:api-admin',
        at: expect.any(Number),
      };
      const mute = {
        userId: 'trudy',
        room: 'team-audit',
        until: expect.any(Number),
        by: 'server:api-team-mods',
        at: expect.any(Number),
      };
      expect(room.status).toBe(200);
      expect(room.body).toEqual({ room: 'audit', slowModeSeconds: 5, bans: [ban], mutes: [] });
      expect(user.body).toEqual({ userId: 'trudy', bans: [ban], mutes: [mute] });
      expect(nobody.body).toEqual({ userId: 'nobody', bans: [], mutes: [] });
    });

    it('answers a moderator delete with 503 unavailable on the memory engine', async () => {
      const response = await api().delete('/api/v1/rooms/ops/messages/m1').set(admin.bearer);

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'unavailable' });
    });

    it('refuses a bad duration, reason, seconds or user id as validation_failed problems', async () => {
      const negative = await api()
        .put('/api/v1/rooms/ops/bans/bob')
        .set(admin.bearer)
        .send({ durationMs: -5 });
      const fractional = await api()
        .put('/api/v1/rooms/ops/mutes/bob')
        .set(admin.bearer)
        .send({ durationMs: 1.5, reason: 7 });
      const longReason = await api()
        .put('/api/v1/users/bob/ban')
        .set(admin.bearer)
        .send({ reason: 'x'.repeat(201) });
      const noSeconds = await api().put('/api/v1/rooms/ops/slow-mode').set(admin.bearer);
      const tooSlow = await api()
        .put('/api/v1/rooms/ops/slow-mode')
        .set(admin.bearer)
        .send({ seconds: 21_601 });
      const longUser = await api()
        .put(`/api/v1/rooms/ops/bans/${'u'.repeat(65)}`)
        .set(admin.bearer)
        .send({});

      for (const response of [negative, fractional, longReason, noSeconds, tooSlow, longUser]) {
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM);
        expect(response.body.code).toBe('validation_failed');
      }
      expect(negative.body.errors).toEqual([
        { field: 'durationMs', errors: ['durationMs must not be less than 1'] },
      ]);
      expect(fractional.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'durationMs', errors: ['durationMs must be an integer number'] },
          { field: 'reason', errors: ['reason must be a string'] },
        ]),
      );
      expect(longReason.body.errors).toEqual([
        { field: 'reason', errors: ['reason must be at most 200 printable characters'] },
      ]);
      expect(noSeconds.body.errors[0].field).toBe('seconds');
      expect(tooSlow.body.errors[0].field).toBe('seconds');
      expect(longUser.body.errors).toEqual([
        { field: 'userId', errors: ['userId must be 1 to 64 characters'] },
      ]);
      expect((await api().get('/api/v1/users/bob/moderation').set(admin.bearer)).body).toEqual({
        userId: 'bob',
        bans: [],
        mutes: [],
      });
    });

    it('refuses moderation to a key without its scope, outside its rooms, and a service ban to a room moderator key', async () => {
      const noScope = await api()
        .put('/api/v1/rooms/ops/bans/bob')
        .set(deploys.bearer)
        .send({ reason: 'x' });
      const outside = await api()
        .put('/api/v1/rooms/ops/mutes/bob')
        .set(teamModerators.bearer)
        .send({});
      const serviceBan = await api()
        .put('/api/v1/users/bob/ban')
        .set(teamModerators.bearer)
        .send({});
      const inside = await api()
        .put('/api/v1/rooms/team-red/mutes/bob')
        .set(teamModerators.bearer)
        .send({ durationMs: 1000 });

      expect(noScope.status).toBe(403);
      expect(noScope.body.detail).toBe('this API key may not call ban in this room');
      expect(outside.status).toBe(403);
      expect(outside.body.detail).toBe('this API key may not call mute in this room');
      expect(serviceBan.status).toBe(403);
      expect(serviceBan.body.detail).toBe('this API key may not call banFromService');
      expect(inside.status).toBe(200);
      expect((await api().get('/api/v1/users/bob/moderation').set(admin.bearer)).body.bans).toEqual(
        [],
      );
    });
  });

  describe('keys', () => {
    const wrong = apiKey('admin');

    it.each([
      ['no Authorization header', {}],
      ['an unknown key', wrong.bearer],
      ['a Basic credential', { authorization: `Basic ${admin.secret}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with 401, the same problem for all', async (_, headers) => {
      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(headers)
        .send({ text: 'x' });

      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'a valid API key is required as Authorization: Bearer <key>',
        code: 'unauthorized',
      });
    });

    it.each(ROUTES)('refuses %s %s without a key', async (method, _, path) => {
      const response = await api()[method](path);

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('unauthorized');
    });

    it.each(ROUTES)('refuses %s %s to a key without its scope or room', async (method, _, path) => {
      const response = await api()[method](path).set(narrow.bearer);

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    });

    it('refuses an operation outside the key scopes with 403', async () => {
      const response = await api()
        .post('/api/v1/users/bob/messages')
        .set(deploys.bearer)
        .send({ text: 'x' });

      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'this API key may not call dm',
        code: 'forbidden',
      });
    });

    it('refuses a room outside the key patterns with 403, and takes one matching a prefix', async () => {
      const outside = await api()
        .post('/api/v1/rooms/secret/messages')
        .set(deploys.bearer)
        .send({ text: 'x' });
      const prefixed = await api()
        .post('/api/v1/rooms/team-blue/messages')
        .set(deploys.bearer)
        .send({ text: 'x' });
      const exact = await api().get('/api/v1/rooms/ops').set(deploys.bearer);

      expect(outside.status).toBe(403);
      expect(outside.body.detail).toBe('this API key may not call publish in this room');
      expect(prefixed.status).toBe(201);
      expect(exact.status).toBe(200);
    });
  });

  describe('validation', () => {
    it('lists every bad field of a body as a validation_failed problem', async () => {
      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: 5, extra: true });

      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'validation failed',
        code: 'validation_failed',
        errors: expect.arrayContaining([
          { field: 'text', errors: ['text must be a string'] },
          { field: 'extra', errors: ['property extra should not exist'] },
        ]),
      });
    });

    it("reports the publisher's own refusals in the same shape", async () => {
      const blank = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: '  ' });
      const asUserSender = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: 'x', from: userOf('alice') });
      const badRoom = await api().get('/api/v1/rooms/bad%20room/messages').set(admin.bearer);
      const reserved = await api()
        .post('/api/v1/users/bob/events')
        .set(admin.bearer)
        .send({ event: 'message', data: {} });

      expect(blank.status).toBe(400);
      expect(blank.body.errors).toEqual([
        { field: 'text', errors: ['text must not be empty after trimming'] },
      ]);
      expect(asUserSender.body.errors[0].field).toBe('from.id');
      const nameless = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .send({ text: 'x', from: { id: 'server:x' } });
      expect(nameless.status).toBe(400);
      expect(nameless.body.errors).toEqual([
        { field: 'from', errors: ['from must be { id, name }'] },
      ]);
      expect(badRoom.body.errors[0].field).toBe('room');
      expect(reserved.body.errors[0].field).toBe('event');
      const notObject = await api()
        .post('/api/v1/rooms/ops/events')
        .set(admin.bearer)
        .send({ event: 'nudge', data: [1] });
      expect(notObject.status).toBe(400);
      expect(notObject.body.errors[0].field).toBe('data');
    });

    it('refuses a history limit out of bounds', async () => {
      const response = await api().get('/api/v1/rooms/ops/messages?limit=500').set(admin.bearer);

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'limit', errors: ['limit must not be greater than 100'] },
      ]);
    });

    it('refuses a body that is not a JSON object with 400, another media type with 415', async () => {
      const broken = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .set('content-type', 'application/json')
        .send('{"text":');
      const array = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .set('content-type', 'application/json')
        .send('[1]');
      const form = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .type('form')
        .send({ text: 'x' });

      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({
        code: 'bad_request',
        detail: 'the body must be a JSON object',
      });
      expect(array.status).toBe(400);
      expect(form.status).toBe(415);
      expect(form.headers['content-type']).toMatch(PROBLEM);
    });

    it('drops __proto__ from a body rather than letting it through', async () => {
      const response = await api()
        .post('/api/v1/rooms/ops/messages')
        .set(admin.bearer)
        .set('content-type', 'application/json')
        .send('{"text":"x","__proto__":{"polluted":true}}');

      expect(response.status).toBe(201);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });
  });
});

describe('the server HTTP API limits', () => {
  const key = apiKey('bulk');
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp({
      ...apiKeysEnv(key),
      SERVER_API_RATE_PER_SECOND: '1',
      SERVER_API_RATE_BURST: '2',
      SERVER_API_MAX_BODY_BYTES: '1024',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('refuses a body over SERVER_API_MAX_BODY_BYTES with 413 before reading it', async () => {
    const response = await request(sut.httpUrl)
      .post('/api/v1/rooms/ops/messages')
      .set(key.bearer)
      .send({ text: 'x'.repeat(2000) });

    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('answers 429 with Retry-After once a key is past its burst', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(sut.httpUrl).get('/api/v1/rooms/ops').set(key.bearer);
      statuses.push(last.status);
    }

    expect(statuses).toContain(429);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(last!.headers['content-type']).toMatch(PROBLEM);
    expect(last!.body).toMatchObject({
      code: 'rate_limited',
      status: 429,
      title: 'Too Many Requests',
    });
  });
});

describe('the server HTTP API after a key rotation', () => {
  const retired = apiKey('2024');
  const current = apiKey('2025');
  const next = apiKey('2026');
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp(apiKeysEnv(current, next));
  });

  afterAll(async () => {
    await sut.close();
  });

  it('takes both active keys and refuses the revoked one exactly as an unknown key', async () => {
    const call = (headers: object) =>
      request(sut.httpUrl)
        .get('/api/v1/rooms/ops')
        .set(headers as Record<string, string>);

    const [viaCurrent, viaNext, viaRetired, viaUnknown] = await Promise.all([
      call(current.bearer),
      call(next.bearer),
      call(retired.bearer),
      call({ authorization: 'Bearer not-a-key' }),
    ]);

    expect([viaCurrent.status, viaNext.status]).toEqual([200, 200]);
    expect(viaRetired.status).toBe(401);
    expect(viaRetired.text).toBe(viaUnknown.text);
  });
});

describe('the server HTTP API with a database', () => {
  const database = databasePerSuite('sqlite', 'server-api');
  const key = apiKey('durable');

  it('reads a DM conversation page, and replays an Idempotency-Key after a restart', async () => {
    const env = { ...apiKeysEnv(key), DATABASE_URL: database.url };
    const first = await startApp(env);
    const dm = () =>
      request(first.httpUrl)
        .post('/api/v1/users/bob/messages')
        .set(key.bearer)
        .set('Idempotency-Key', 'invoice-7')
        .send({ text: 'your invoice' });
    const sent = await dm();
    await first.close();

    const second = await startApp(env);
    try {
      const replay = await request(second.httpUrl)
        .post('/api/v1/users/bob/messages')
        .set(key.bearer)
        .set('Idempotency-Key', 'invoice-7')
        .send({ text: 'your invoice' });
      const page = await request(second.httpUrl)
        .get('/api/v1/users/bob/conversations/server:system/messages')
        .set(key.bearer);

      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(sent.body);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(page.status).toBe(200);
      expect(page.body.messages).toEqual([sent.body]);
    } finally {
      await second.close();
    }
  });

  it("deletes anyone's message: the room gets deleted from the default sender; a repeat is 403, an unknown id 404", async () => {
    const sut = await startApp({ ...apiKeysEnv(key), DATABASE_URL: database.url });
    try {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'news' });
      await bob.request('join', { room: 'news' });
      const sent = await alice.request('message', { room: 'news', text: 'spam' });
      await bob.next('message');

      const deleted = await request(sut.httpUrl)
        .delete(`/api/v1/rooms/news/messages/${sent.data.id}`)
        .set(key.bearer);
      const again = await request(sut.httpUrl)
        .delete(`/api/v1/rooms/news/messages/${sent.data.id}`)
        .set(key.bearer);
      const unknown = await request(sut.httpUrl)
        .delete('/api/v1/rooms/news/messages/nothing-like-an-id')
        .set(key.bearer);

      expect(deleted.status).toBe(204);
      expect((await bob.next('deleted')).data).toMatchObject({
        room: 'news',
        id: sent.data.id,
        from: system,
      });
      const history = await alice.request('history', { room: 'news' });
      expect(history.data.messages).toEqual([expect.objectContaining({ deleted: true, text: '' })]);
      expect(again.status).toBe(403);
      expect(again.body).toMatchObject({ code: 'forbidden', detail: 'message deleted' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ code: 'not_found', status: 404 });
    } finally {
      await sut.close();
    }
  });
});

describe('the server HTTP API without keys (the default)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(ROUTES)('answers %s %s as a route that does not exist', async (method, _, path) => {
    const response = await request(sut.httpUrl)[method](path);
    const unknown = await request(sut.httpUrl)[method](`${path}-nothing-here`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      ...unknown.body,
      message: unknown.body.message.replace('-nothing-here', ''),
    });
  });

  it('serves neither the OpenAPI document nor its page', async () => {
    expect((await request(sut.httpUrl).get('/api/v1/openapi.json')).status).toBe(404);
    expect((await request(sut.httpUrl).get('/api/docs')).status).toBe(404);
  });
});

describe('the OpenAPI document and its page', () => {
  const key: TestApiKey = apiKey('docs');
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp(apiKeysEnv(key));
  });

  afterAll(async () => {
    await sut.close();
  });

  /** The routes the HTTP server actually has under /api/v1, as `method path` in OpenAPI's style. */
  function mountedRoutes(): string[] {
    const express = sut.app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    };
    return express.router.stack
      .flatMap((layer) =>
        layer.route &&
        layer.route.path.startsWith('/api/v1/') &&
        layer.route.path !== '/api/v1/openapi.json'
          ? Object.keys(layer.route.methods).map(
              (method) => `${method} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
            )
          : [],
      )
      .sort();
  }

  it('lists exactly the mounted routes, each behind the bearer key with its problem responses', async () => {
    const response = await request(sut.httpUrl).get('/api/v1/openapi.json');
    const document = response.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, { content?: object }> }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };

    expect(response.status).toBe(200);
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes['api-key']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(mountedRoutes());
    expect(documented).toEqual(ROUTES.map(([method, path]) => `${method} ${path}`).sort());
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.security, `${method} ${path}`).toEqual([{ 'api-key': [] }]);
        for (const status of ['400', '401', '403', '429'])
          expect(
            operation.responses[status]?.content,
            `${method} ${path} ${status}`,
          ).toHaveProperty(['application/problem+json']);
      }
  });

  it('serves a Swagger UI page whose scripts and styles load under its policy', async () => {
    const page = await request(sut.httpUrl).get('/api/docs');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const assets = [...page.text.matchAll(/(?:src|href)=['"]\.\/([^'"]+)['"]/g)].map((m) => m[1]);
    expect(assets).toEqual(
      expect.arrayContaining([
        'docs/swagger-ui.css',
        'docs/swagger-ui-bundle.js',
        'docs/swagger-ui-init.js',
      ]),
    );
    for (const asset of assets) {
      const response = await request(sut.httpUrl).get(`/api/${asset}`);
      expect(response.status, asset).toBe(200);
    }
    const init = await request(sut.httpUrl).get('/api/docs/swagger-ui-init.js');
    expect(init.text).toContain('/api/v1/rooms/{room}/messages');
  });
});

describe('the server HTTP API in a host application', () => {
  const key = apiKey('host-backend', ['publish'], ['ops']);
  let sut: TestApp;

  beforeAll(async () => {
    @Module({
      imports: [
        SwitchboardModule.forRoot({
          DATABASE_URL: 'memory',
          LOG_LEVEL: 'silent',
          SERVER_API_KEYS: [key.config],
        }),
      ],
    })
    class HostWithApiModule {}
    sut = await serveApp(
      useSwitchboard(await NestFactory.create(HostWithApiModule, { logger: false })),
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('publishes with the keys the host typed in its options, and serves the docs', async () => {
    const [alice] = await connectUsers(sut, 'alice');
    await alice.request('join', { room: 'ops' });

    const response = await request(sut.httpUrl)
      .post('/api/v1/rooms/ops/messages')
      .set(key.bearer)
      .send({ text: 'from the host' });

    expect(response.status).toBe(201);
    expect((await alice.next('message')).data.id).toBe(response.body.id);
    expect((await request(sut.httpUrl).get('/api/v1/openapi.json')).status).toBe(200);
    expect((await request(sut.httpUrl).get('/api/docs')).status).toBe(200);
  });
});
