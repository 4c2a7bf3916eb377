import { appPerTest } from './utils/test-app.js';

describe('members (the worked example of adding a gateway event)', () => {
  const sut = appPerTest();

  it('lists the users in a joined room, with the ref of the request', async () => {
    const ann = await sut.connect({ query: { uid: 'ann', name: 'Ann' } });
    const bo = await sut.connect({ query: { uid: 'bo', name: 'Bo' } });
    await ann.request('join', { room: 'ops' });
    await bo.request('join', { room: 'ops' });

    const reply = await ann.request('members', { room: 'ops' });

    expect(reply.event).toBe('members');
    expect(reply.data.ref).toMatch(/^r\d+$/);
    expect(reply.data.count).toBe(2);
    expect(reply.data.members).toEqual(
      expect.arrayContaining([
        { id: 'ann', name: 'Ann' },
        { id: 'bo', name: 'Bo' },
      ]),
    );
  });

  it('answers not_in_room for a room the socket has not joined', async () => {
    const ann = await sut.connect({ query: { uid: 'ann' } });

    const reply = await ann.request('members', { room: 'elsewhere' });

    expect(reply).toMatchObject({ event: 'error', data: { code: 'not_in_room' } });
  });
});
