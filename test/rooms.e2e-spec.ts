import { startApp, type TestApp } from './utils/test-app.js';

describe('rooms (added by following the README guide)', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await startApp();
  });

  afterEach(async () => {
    await sut.close();
  });

  it('lists the rooms the connection is in, with the ref of the request', async () => {
    const ann = await sut.connect({ query: { uid: 'ann' } });
    await ann.request('join', { room: 'ops' });

    const reply = await ann.request('rooms', {});

    expect(reply.event).toBe('rooms');
    expect(reply.data.ref).toMatch(/^r\d+$/);
    expect([...(reply.data.rooms as string[])].sort()).toEqual(['lobby', 'ops']);
  });

  it('no longer lists a room the connection left', async () => {
    const ann = await sut.connect({ query: { uid: 'ann' } });
    await ann.request('join', { room: 'ops' });
    await ann.request('leave', { room: 'ops' });

    const reply = await ann.request('rooms', {});

    expect(reply.data.rooms).toEqual(['lobby']);
  });
});
