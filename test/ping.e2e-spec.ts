import { appPerTest } from './utils/test-app.js';
import { asUser } from './utils/users.js';

describe('ping', () => {
  const sut = appPerTest();

  it('is answered with pong, its ref echoed', async () => {
    const alice = await sut.connect(asUser('alice'));

    expect(await alice.request('ping')).toEqual({ event: 'pong', data: { ref: 'r1' } });
  });

  it('is answered with an empty pong without a ref, and tells nobody else', async () => {
    const alice = await sut.connect(asUser('alice'));
    const bob = await sut.connect(asUser('bob'));

    alice.send('ping', {});

    expect(await alice.next('pong')).toEqual({ event: 'pong', data: {} });
    expect(await bob.drain(150)).toEqual([]);
  });

  it('answers a ref that is not a string with validation_failed, as every event does', async () => {
    const alice = await sut.connect(asUser('alice'));

    alice.send('ping', { ref: 42 });

    expect((await alice.next('error')).data).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'ref' }],
    });
  });
});

describe('ping under the per-connection rate (RATE_LIMIT_PER_SECOND=1, RATE_LIMIT_BURST=3)', () => {
  const sut = appPerTest({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });

  it('spends a rate token like any event: past the burst, pings and messages get rate_limited', async () => {
    const alice = await sut.connect(asUser('alice'));

    const replies = [];
    for (let i = 0; i < 4; i += 1) replies.push(await alice.request('ping'));
    const message = await alice.request('message', { room: 'lobby', text: 'one too many' });

    expect(replies.slice(0, 3).map((reply) => reply.event)).toEqual(['pong', 'pong', 'pong']);
    expect(replies[3]).toMatchObject({ event: 'error', data: { code: 'rate_limited', ref: 'r4' } });
    expect(message.data).toMatchObject({ code: 'rate_limited', ref: 'r5' });
  });
});
