import { appPerTest } from './utils/test-app.js';

describe('seed relay (plain text to the default room)', () => {
  const sut = appPerTest();

  it('delivers a plain-text frame to every other client in lobby, and not back to the sender', async () => {
    const [alice, bob, carol] = await Promise.all([
      sut.connect({ query: { name: 'alice' } }),
      sut.connect({ query: { name: 'bob' } }),
      sut.connect({ query: { name: 'carol' } }),
    ]);

    alice.sendRaw('hello, world');

    for (const other of [bob, carol]) {
      const { data } = await other.next('message');
      expect(data).toMatchObject({ room: 'lobby', text: 'hello, world', from: { name: 'alice' } });
    }
    const ack = await alice.next('ack');
    expect(ack.data.room).toBe('lobby');
    expect(await alice.collect('message', 100)).toEqual([]);
  });
});
