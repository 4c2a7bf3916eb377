import { appPerTest } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

describe('typing', () => {
  const sut = appPerTest();

  it('tells the others in the room exactly {room, user}', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

    alice.send('typing', { room: 'lobby' });

    expect(await bob.next('typing')).toEqual({
      event: 'typing',
      data: { room: 'lobby', user: userOf('alice') },
    });
  });

  it('sends the typing socket no reply at all, even when the request has a ref', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

    alice.send('typing', { room: 'lobby', ref: 't1' });

    await bob.next('typing');
    expect(await alice.drain(150)).toEqual([]);
  });

  it('tells nobody outside the room', async () => {
    const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');
    await alice.request('join', { room: 'kitchen' });
    await bob.request('join', { room: 'kitchen' });

    alice.send('typing', { room: 'kitchen' });

    expect((await bob.next('typing')).data.room).toBe('kitchen');
    expect(await carol.collect('typing', 150)).toEqual([]);
  });

  it('is never stored: neither history nor a later join shows it', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    alice.send('typing', { room: 'lobby' });
    await bob.next('typing');

    const history = await bob.request('history', { room: 'lobby' });
    const carol = await sut.connect(asUser('carol'));
    const joined = await carol.request('join', { room: 'lobby' });

    expect(history.data.messages).toEqual([]);
    expect(joined.data.messages).toEqual([]);
  });

  it('answers typing in a room the socket has not joined with not_in_room and tells nobody', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await bob.request('join', { room: 'kitchen' });

    const reply = await alice.request('typing', { room: 'kitchen' });

    expect(reply).toEqual({
      event: 'error',
      data: { code: 'not_in_room', message: expect.any(String), ref: 'r1' },
    });
    expect(await bob.collect('typing', 150)).toEqual([]);
  });
});
