import { appPerTest } from './utils/test-app.js';

describe('with PERMESSAGE_DEFLATE=true', () => {
  const sut = appPerTest({ PERMESSAGE_DEFLATE: 'true' });

  it('fans out through ws to compressed sockets and writes prepared frames to the others', async () => {
    const compressed = await sut.connect({
      query: { uid: 'deflate' },
      ws: { perMessageDeflate: true },
    });
    const plain = await sut.connect({ query: { uid: 'plain' }, ws: { perMessageDeflate: false } });
    const sender = await sut.connect({ query: { uid: 'sender' } });
    expect(compressed.socket.extensions).toContain('permessage-deflate');
    expect(plain.socket.extensions).toBe('');
    const text = 'compress me '.repeat(200).trim();

    const ack = await sender.request('message', { room: 'lobby', text });

    for (const client of [compressed, plain]) {
      expect((await client.next('message')).data).toMatchObject({ id: ack.data.id, text });
    }
  });
});
