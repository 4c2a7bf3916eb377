import { appPerTest } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

describe('dm (direct messages)', () => {
  const sut = appPerTest();

  it('acks a dm with exactly {ref, id, ts}', async () => {
    const alice = await sut.connect(asUser('alice'));
    await sut.connect(asUser('bob'));
    const before = Date.now();

    const ack = await alice.request('dm', { to: 'bob', text: 'psst' });

    expect(ack).toEqual({
      event: 'ack',
      data: { ref: 'r1', id: expect.any(String), ts: expect.any(Number) },
    });
    expect(ack.data.ts).toBeGreaterThanOrEqual(before);
    expect(ack.data.ts).toBeLessThanOrEqual(Date.now());
  });

  it('delivers exactly {id, from, to, text, ts} to every socket of the recipient', async () => {
    const alice = await sut.connect(asUser('alice'));
    const [bobPhone, bobLaptop] = await connectUsers(sut, 'bob', 'bob');

    const ack = await alice.request('dm', { to: 'bob', text: ' psst ' });

    for (const socket of [bobPhone, bobLaptop]) {
      expect(await socket.next('dm')).toEqual({
        event: 'dm',
        data: {
          id: ack.data.id,
          from: userOf('alice'),
          to: 'bob',
          text: 'psst',
          ts: ack.data.ts,
        },
      });
    }
  });

  it('delivers to the sender’s other sockets and not to the sending socket', async () => {
    const [alicePhone, aliceLaptop] = await connectUsers(sut, 'alice', 'alice');
    await sut.connect(asUser('bob'));

    const ack = await alicePhone.request('dm', { to: 'bob', text: 'sent from phone' });

    expect((await aliceLaptop.next('dm')).data).toMatchObject({
      id: ack.data.id,
      to: 'bob',
      text: 'sent from phone',
    });
    expect(await alicePhone.collect('dm', 150)).toEqual([]);
  });

  it('delivers to nobody but the sender and the recipient', async () => {
    const [alice, bob, carol] = await connectUsers(sut, 'alice', 'bob', 'carol');

    await alice.request('dm', { to: 'bob', text: 'just us' });

    await bob.next('dm');
    expect(await carol.drain(150)).toEqual([]);
  });

  it('reaches a recipient who shares no room with the sender', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await bob.request('leave', { room: 'lobby' });

    await alice.request('dm', { to: 'bob', text: 'found you' });

    expect((await bob.next('dm')).data.text).toBe('found you');
  });

  it('delivers a dm to oneself once to each other socket and not to the sending socket', async () => {
    const [phone, laptop] = await connectUsers(sut, 'alice', 'alice');

    await phone.request('dm', { to: 'alice', text: 'note to self' });

    expect((await laptop.next('dm')).data).toMatchObject({ to: 'alice', text: 'note to self' });
    expect(await laptop.collect('dm', 150)).toEqual([]);
    expect(await phone.collect('dm', 0)).toEqual([]);
  });

  it('acks a dm to a user with no open socket and delivers it to nobody else', async () => {
    const [alice, carol] = await connectUsers(sut, 'alice', 'carol');

    const ack = await alice.request('dm', { to: 'nobody-home', text: 'hello?' });

    expect(ack.event).toBe('ack');
    expect(await carol.drain(150)).toEqual([]);
  });

  it('answers a resend with the same clientMsgId with the first ack and delivers it once', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

    const first = await alice.request('dm', { to: 'bob', text: 'once', clientMsgId: 'd-1' });
    const again = await alice.request('dm', { to: 'bob', text: 'once', clientMsgId: 'd-1' });

    expect(again.data).toEqual({ ...first.data, ref: again.data.ref });
    expect((await bob.next('dm')).data.id).toBe(first.data.id);
    expect(await bob.collect('dm', 200)).toEqual([]);
  });

  it('answers a dm without a recipient with validation_failed naming the field', async () => {
    const alice = await sut.connect(asUser('alice'));

    const reply = await alice.request('dm', { text: 'to whom?' });

    expect(reply.data).toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ field: 'to' })],
    });
  });
});
