import type { TestClient } from './utils/test-client.js';
import { startApp, type TestApp } from './utils/test-app.js';

describe('typing', () => {
  let sut: TestApp;

  const connect = (uid: string): Promise<TestClient> =>
    sut.connect({ query: { uid, name: `${uid} name` }, timeoutMs: 5000 });

  beforeEach(async () => {
    sut = await startApp();
  });

  afterEach(async () => {
    await sut.close();
  });

  it('tells the others in the room exactly {room, user}', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];

    alice.send('typing', { room: 'lobby' });

    expect(await bob.next('typing')).toEqual({
      event: 'typing',
      data: { room: 'lobby', user: { id: 'alice', name: 'alice name' } },
    });
  });

  it('sends the typing socket no reply at all, even when the request has a ref', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];

    alice.send('typing', { room: 'lobby', ref: 't1' });

    await bob.next('typing');
    expect(await alice.drain(150)).toEqual([]);
  });

  it('tells nobody outside the room', async () => {
    const [alice, bob, carol] = [
      await connect('alice'),
      await connect('bob'),
      await connect('carol'),
    ];
    await alice.request('join', { room: 'kitchen' });
    await bob.request('join', { room: 'kitchen' });

    alice.send('typing', { room: 'kitchen' });

    expect((await bob.next('typing')).data.room).toBe('kitchen');
    expect(await carol.collect('typing', 150)).toEqual([]);
  });

  it('is never stored: neither history nor a later join shows it', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    alice.send('typing', { room: 'lobby' });
    await bob.next('typing');

    const history = await bob.request('history', { room: 'lobby' });
    const carol = await connect('carol');
    const joined = await carol.request('join', { room: 'lobby' });

    expect(history.data.messages).toEqual([]);
    expect(joined.data.messages).toEqual([]);
  });

  it('answers typing in a room the socket has not joined with not_in_room and tells nobody', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    await bob.request('join', { room: 'kitchen' });

    const reply = await alice.request('typing', { room: 'kitchen' });

    expect(reply).toEqual({
      event: 'error',
      data: { code: 'not_in_room', message: expect.any(String), ref: 'r1' },
    });
    expect(await bob.collect('typing', 150)).toEqual([]);
  });
});
