import { appPerTest } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

describe('rooms and presence (join, leave, default room)', () => {
  describe('with the default room lobby', () => {
    const sut = appPerTest();

    it('replies to join with exactly {room, members, messages, recovered, ref}', async () => {
      const alice = await sut.connect(asUser('alice'));

      const joined = await alice.request('join', { room: 'kitchen' });

      expect(joined).toEqual({
        event: 'joined',
        data: {
          room: 'kitchen',
          members: [userOf('alice')],
          messages: [],
          recovered: false,
          ref: 'r1',
        },
      });
    });

    it('lists every user in the room once in joined.members, however many sockets they have', async () => {
      const [alicePhone, aliceLaptop, bob] = await connectUsers(sut, 'alice', 'alice', 'bob');
      await alicePhone.request('join', { room: 'kitchen' });
      await aliceLaptop.request('join', { room: 'kitchen' });

      const joined = await bob.request('join', { room: 'kitchen' });

      expect(joined.data.members).toHaveLength(2);
      expect(joined.data.members).toEqual(expect.arrayContaining([userOf('alice'), userOf('bob')]));
    });

    it('announces a join to the others in the room with exactly {room, user, action}', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });

      await bob.request('join', { room: 'kitchen' });

      expect(await alice.next('presence')).toEqual({
        event: 'presence',
        data: { room: 'kitchen', user: userOf('bob'), action: 'join' },
      });
    });

    it('does not announce a join to the joining socket itself', async () => {
      const alice = await sut.connect(asUser('alice'));

      await alice.request('join', { room: 'kitchen' });

      expect(await alice.collect('presence', 150)).toEqual([]);
    });

    it('does not announce a join to users outside the room', async () => {
      const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');
      await alice.request('join', { room: 'kitchen' });

      await bob.request('join', { room: 'kitchen' });

      await alice.next('presence');
      expect(await carol.collect('presence', 150)).toEqual([]);
    });

    it('announces nothing when a user already in the room joins it from a second socket', async () => {
      const [alicePhone, aliceLaptop, bob] = await connectUsers(sut, 'alice', 'alice', 'bob');
      await bob.request('join', { room: 'kitchen' });
      await alicePhone.request('join', { room: 'kitchen' });
      expect((await bob.next('presence')).data.action).toBe('join');

      await aliceLaptop.request('join', { room: 'kitchen' });

      expect(await bob.collect('presence', 150)).toEqual([]);
    });

    it('re-sends the snapshot and announces nothing when a socket joins a room it is already in', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await bob.request('join', { room: 'kitchen' });
      await alice.request('join', { room: 'kitchen' });
      await bob.next('presence');
      const sent = await bob.request('message', { room: 'kitchen', text: 'hi' });

      const again = await alice.request('join', { room: 'kitchen' });

      expect(again.event).toBe('joined');
      expect(again.data.messages.map((m: { id: string }) => m.id)).toEqual([sent.data.id]);
      expect(await bob.collect('presence', 150)).toEqual([]);
    });

    it('replies to leave with exactly {room, ref}', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'kitchen' });

      expect(await alice.request('leave', { room: 'kitchen' })).toEqual({
        event: 'left',
        data: { room: 'kitchen', ref: 'r2' },
      });
    });

    it('announces a leave to the others in the room', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
      await bob.request('join', { room: 'kitchen' });
      await alice.next('presence');

      await bob.request('leave', { room: 'kitchen' });

      expect((await alice.next('presence')).data).toEqual({
        room: 'kitchen',
        user: userOf('bob'),
        action: 'leave',
      });
    });

    it('stops delivering a room’s messages to a socket that left it', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
      await bob.request('join', { room: 'kitchen' });
      await bob.request('leave', { room: 'kitchen' });

      await alice.request('message', { room: 'kitchen', text: 'anyone?' });

      expect(await bob.collect('message', 150)).toEqual([]);
    });

    it('answers a message to a room the socket left with not_in_room', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'kitchen' });
      await alice.request('leave', { room: 'kitchen' });

      const reply = await alice.request('message', { room: 'kitchen', text: 'hi' });

      expect(reply.data).toMatchObject({ code: 'not_in_room', ref: 'r3' });
    });

    it('announces a leave for every joined room when a socket disconnects', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
      await alice.request('join', { room: 'kitchen' });
      await alice.request('join', { room: 'garden' });
      await bob.request('join', { room: 'kitchen' });
      await bob.request('join', { room: 'garden' });
      for (const room of ['kitchen', 'garden']) {
        await alice.next(
          (f) => f.event === 'presence' && f.data.room === room,
          `bob joining ${room}`,
        );
      }

      await bob.close();

      const leaves = [await alice.next('presence'), await alice.next('presence')];
      expect(
        leaves.map((frame) => frame.data.room as string).sort((a, b) => a.localeCompare(b)),
      ).toEqual(['garden', 'kitchen']);
      for (const frame of leaves) {
        expect(frame.data).toMatchObject({ user: userOf('bob'), action: 'leave' });
      }
    });

    it('announces a leave only when the user’s last socket in the room goes', async () => {
      const [alice, bobPhone, bobLaptop] = await connectUsers(sut, 'alice', 'bob', 'bob');
      await alice.request('join', { room: 'kitchen' });
      await bobPhone.request('join', { room: 'kitchen' });
      await bobLaptop.request('join', { room: 'kitchen' });
      await alice.next('presence');

      await bobPhone.close();
      expect(await alice.collect('presence', 150)).toEqual([]);

      await bobLaptop.close();
      expect((await alice.next('presence')).data).toMatchObject({
        action: 'leave',
        user: userOf('bob'),
      });
    });

    it('puts a new connection in lobby: it can send there without joining', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      const ack = await alice.request('message', { room: 'lobby', text: 'no join needed' });

      expect(ack.event).toBe('ack');
      expect((await bob.next('message')).data).toMatchObject({
        room: 'lobby',
        text: 'no join needed',
      });
    });

    it('announces to sockets that joined lobby a user who connects and one who disconnects, so its member list stays right', async () => {
      const alice = await sut.connect(asUser('alice'));
      expect((await alice.request('join', { room: 'lobby' })).data.members).toEqual([
        userOf('alice'),
      ]);

      const bob = await sut.connect(asUser('bob'));
      expect((await alice.next('presence')).data).toEqual({
        room: 'lobby',
        user: userOf('bob'),
        action: 'join',
      });
      await bob.close();

      expect((await alice.next('presence')).data).toEqual({
        room: 'lobby',
        user: userOf('bob'),
        action: 'leave',
      });
      expect((await alice.request('members', { room: 'lobby' })).data.members).toEqual([
        userOf('alice'),
      ]);
    });

    it('announces nothing of lobby to a socket that is only there since it connected', async () => {
      const alice = await sut.connect(asUser('alice'));

      const bob = await sut.connect(asUser('bob'));
      await bob.request('message', { room: 'lobby', text: 'hi' });
      await bob.close();

      await alice.next('message');
      expect(await alice.collect('presence', 200)).toEqual([]);
    });

    it('stops announcing lobby to a socket that left it', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'lobby' });
      await alice.request('leave', { room: 'lobby' });
      await alice.request('join', { room: 'kitchen' });

      const bob = await sut.connect(asUser('bob'));
      await bob.request('join', { room: 'kitchen' });

      expect((await alice.next('presence')).data).toMatchObject({ room: 'kitchen' });
      expect(await alice.collect('presence', 200)).toEqual([]);
    });

    it('announces nothing to lobby when a user already there opens a second socket', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'lobby' });
      const bobPhone = await sut.connect(asUser('bob'));
      await alice.next('presence');

      const bobLaptop = await sut.connect(asUser('bob'));
      await bobLaptop.close();

      await bobPhone.request('message', { room: 'lobby', text: 'still here' });
      await alice.next('message');
      expect(await alice.collect('presence', 200)).toEqual([]);
    });
  });

  describe('with a default room past PRESENCE_MAX_MEMBERS', () => {
    const sut = appPerTest({ PRESENCE_MAX_MEMBERS: '2' });

    it('announces nothing once lobby has more users than the limit, and counts them instead of listing them', async () => {
      const alice = await sut.connect(asUser('alice'));
      await alice.request('join', { room: 'lobby' });
      await sut.connect(asUser('bob'));
      expect((await alice.next('presence')).data.user).toEqual(userOf('bob'));

      await sut.connect(asUser('carol'));
      await alice.request('message', { room: 'lobby', text: 'a crowd' });

      expect(await alice.collect('presence', 200)).toEqual([]);
      expect((await alice.request('members', { room: 'lobby' })).data).toMatchObject({
        members: [],
        count: 3,
      });
    });
  });

  describe('with DEFAULT_ROOM=hall', () => {
    const sut = appPerTest({ DEFAULT_ROOM: 'hall' });

    it('puts new connections in the configured default room and sends plain text there', async () => {
      const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

      alice.sendRaw('plain hello');

      expect((await bob.next('message')).data).toMatchObject({ room: 'hall', text: 'plain hello' });
      expect((await alice.request('message', { room: 'lobby', text: 'x' })).data.code).toBe(
        'not_in_room',
      );
    });
  });

  describe('with the default room disabled (DEFAULT_ROOM empty)', () => {
    const sut = appPerTest({ DEFAULT_ROOM: '' });

    it('puts a new connection in no room', async () => {
      const alice = await sut.connect(asUser('alice'));

      const reply = await alice.request('message', { room: 'lobby', text: 'hi' });

      expect(reply.data).toMatchObject({ code: 'not_in_room', ref: 'r1' });
    });

    it('answers a plain-text frame with bad_request and keeps the socket open', async () => {
      const alice = await sut.connect(asUser('alice'));

      alice.sendRaw('plain hello');

      expect((await alice.next('error')).data.code).toBe('bad_request');
      expect((await alice.request('join', { room: 'kitchen' })).event).toBe('joined');
    });
  });
});
