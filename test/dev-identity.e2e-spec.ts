import { TestClient } from './utils/test-client.js';
import { appPerTest } from './utils/test-app.js';

const GUEST = /^guest-[0-9a-f]{4}$/;

describe('identity in dev mode (no JWT key configured)', () => {
  /** The user the server made of this socket, as the socket itself sees it in joined.members. */
  async function whoAmI(client: TestClient): Promise<{ id: string; name: string }> {
    const room = `me-${Math.random().toString(36).slice(2)}`;
    const joined = await client.request('join', { room });
    expect(joined.data.members).toHaveLength(1);
    return joined.data.members[0];
  }

  const sut = appPerTest();

  it('admits anyone, with no token, at ws://host:port with no path', async () => {
    const bare = await TestClient.connect(`ws://127.0.0.1:${sut.port}`);
    try {
      expect((await bare.request('message', { room: 'lobby', text: 'hi' })).event).toBe('ack');
    } finally {
      await bare.close();
    }
  });

  it.each(['alice', 'a', 'n'.repeat(32), 'Zoë 🚀', 'Ada Lovelace'])(
    'uses ?name=%j as the display name',
    async (name) => {
      const client = await sut.connect({ query: { name } });

      expect((await whoAmI(client)).name).toBe(name);
    },
  );

  it.each([
    ['no name', undefined],
    ['an empty name', ''],
    ['a name of 33 characters', 'n'.repeat(33)],
    ['a name with a control character', 'bell\u0007'],
    ['a name with a newline', 'two\nlines'],
  ])('generates a guest-xxxx name for %s', async (_, name) => {
    const client = await sut.connect({ query: name === undefined ? {} : { name } });

    expect((await whoAmI(client)).name).toMatch(GUEST);
  });

  it('shows others the display name on messages', async () => {
    const [alice, bob] = [
      await sut.connect({ query: { name: 'alice' } }),
      await sut.connect({ query: { name: 'bob' } }),
    ];

    await alice.request('message', { room: 'lobby', text: 'hi' });

    expect((await bob.next('message')).data.from.name).toBe('alice');
  });

  it('generates a different user id for each connection without ?uid=', async () => {
    const [first, second] = [
      await sut.connect({ query: { name: 'same' } }),
      await sut.connect({ query: { name: 'same' } }),
    ];

    const [a, b] = [await whoAmI(first), await whoAmI(second)];

    expect(a.id).not.toBe(b.id);
  });

  it('uses ?uid= as the user id, so that two sockets with it are one user', async () => {
    const [phone, laptop, bob] = [
      await sut.connect({ query: { uid: 'alice-1', name: 'alice' } }),
      await sut.connect({ query: { uid: 'alice-1', name: 'alice' } }),
      await sut.connect({ query: { uid: 'bob' } }),
    ];

    expect((await whoAmI(phone)).id).toBe('alice-1');
    await bob.request('dm', { to: 'alice-1', text: 'both of you' });

    expect((await phone.next('dm')).data.text).toBe('both of you');
    expect((await laptop.next('dm')).data.text).toBe('both of you');
  });
});
