import type { TestClient } from './utils/test-client.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

/** Rate limits out of the way, so that every hostile frame gets its own answer. */
const UNLIMITED: TestEnv = {
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_PER_SECOND: '100000',
  USER_RATE_LIMIT_PER_SECOND: '100000',
};

/** Fails if any test left a key on Object.prototype (the server runs in this process). */
function expectPrototypesClean(): void {
  for (const key of ['polluted', 'isAdmin', 'room', 'text', 'ref']) {
    expect(Object.prototype).not.toHaveProperty(key);
    expect(({} as Record<string, unknown>)[key]).toBeUndefined();
  }
}

describe('hostile input', () => {
  let sut: TestApp;
  let attacker: TestClient;
  let bystander: TestClient;

  /** The bystander (in lobby) still gets answers and received nothing from the attacker's frames. */
  async function expectBystanderUndisturbed(): Promise<void> {
    expect(await bystander.drain(150)).toEqual([]);
    expect((await bystander.request('history', { room: 'lobby' })).event).toBe('history');
  }

  afterEach(async () => {
    expectPrototypesClean();
    await sut.close();
  });

  describe('malformed frames, one at a time', () => {
    beforeEach(async () => {
      sut = await startApp(UNLIMITED);
      [attacker, bystander] = await connectUsers(sut, 'mallory', 'bob');
    });

    it.each([
      ['a lone brace', '{'],
      ['truncated JSON', '{"event":"message","data":{"room":"lobby","text":"hi"}'],
      ['JSON followed by garbage', '{"event":"message","data":{}}}'],
      ['single-quoted JSON', "{'event':'message','data':{}}"],
      ['an empty object', '{}'],
      ['a null event', '{"event":null,"data":{}}'],
      ['an array event', '{"event":["message"],"data":{}}'],
      ['an object event', '{"event":{"toString":"message"},"data":{}}'],
      ['array data', '{"event":"message","data":[]}'],
      ['null data', '{"event":"message","data":null}'],
      ['boolean data', '{"event":"message","data":true}'],
      ['string data', '{"event":"message","data":"{\\"room\\":\\"lobby\\"}"}'],
    ])('answers %s with bad_request and disturbs nobody', async (_, frame) => {
      attacker.sendRaw(frame);

      expect((await attacker.next('error')).data.code).toBe('bad_request');
      await expectBystanderUndisturbed();
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' message', 'MESSAGE'])(
      'answers the event name %j with unknown_event and disturbs nobody',
      async (event) => {
        const reply = await attacker.request(event, { room: 'lobby', text: 'hi' });

        expect(reply.data.code).toBe('unknown_event');
        await expectBystanderUndisturbed();
      },
    );

    it('does not echo a 60 KB event name back in full', async () => {
      const reply = await attacker.request('x'.repeat(60000), {});

      expect(reply.data.code).toBe('unknown_event');
      expect(reply.data.message.length).toBeLessThan(200);
    });

    it.each([
      ['an operator object as room', { room: { $gt: '' }, text: 'hi' }, 'room'],
      ['an array as text', { room: 'lobby', text: ['hi'] }, 'text'],
      ['an object with a length as text', { room: 'lobby', text: { length: 1 } }, 'text'],
      ['a number as room', { room: 1, text: 'hi' }, 'room'],
      ['null as text', { room: 'lobby', text: null }, 'text'],
      ['true as clientMsgId', { room: 'lobby', text: 'hi', clientMsgId: true }, 'clientMsgId'],
    ])(
      'answers a message with %s with validation_failed and delivers nothing',
      async (_, data, field) => {
        const reply = await attacker.request('message', data);

        expect(reply.data).toMatchObject({ code: 'validation_failed', details: [{ field }] });
        await expectBystanderUndisturbed();
      },
    );

    it.each([
      ['Infinity (1e309)', '{"event":"history","data":{"room":"lobby","limit":1e309,"ref":"h"}}'],
      ['a numeric string', '{"event":"history","data":{"room":"lobby","limit":"50","ref":"h"}}'],
      ['an object', '{"event":"history","data":{"room":"lobby","limit":{"valueOf":5},"ref":"h"}}'],
    ])('answers a history limit of %s with validation_failed', async (_, frame) => {
      attacker.sendRaw(frame);

      const reply = await attacker.next((f) => f.data.ref === 'h');
      expect(reply.data).toMatchObject({
        code: 'validation_failed',
        details: [{ field: 'limit' }],
      });
    });

    it('answers deeply nested data with bad_request, not internal', async () => {
      const nested = `${'['.repeat(20000)}${']'.repeat(20000)}`;

      attacker.sendRaw(`{"event":"message","data":{"room":"lobby","text":"hi","x":${nested}}}`);

      expect((await attacker.next('error')).data.code).toBe('bad_request');
      await expectBystanderUndisturbed();
    });

    it('answers deeply nested objects inside a known field with bad_request', async () => {
      const nested = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

      attacker.sendRaw(`{"event":"join","data":{"room":${nested}}}`);

      expect((await attacker.next('error')).data.code).toBe('bad_request');
    });

    it('still accepts data nested a few levels deep in fields it ignores', async () => {
      const reply = await attacker.request('message', {
        room: 'lobby',
        text: 'hi',
        meta: { a: [{ b: { c: [1, 2, 3] } }] },
      });

      expect(reply.event).toBe('ack');
      expect((await bystander.next('message')).data).not.toHaveProperty('meta');
    });

    it('answers a binary frame with bad_request and keeps the socket open', async () => {
      attacker.sendRaw(
        Buffer.from(JSON.stringify({ event: 'message', data: { room: 'lobby', text: 'hi' } })),
      );

      expect((await attacker.next('error')).data.code).toBe('bad_request');
      expect((await attacker.request('history', { room: 'lobby' })).event).toBe('history');
      await expectBystanderUndisturbed();
    });

    it('closes a text frame that is not valid UTF-8 with 1007 (RFC 6455) and disturbs nobody', async () => {
      attacker.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });

      expect((await attacker.waitClosed(5000)).code).toBe(1007);
      await expectBystanderUndisturbed();
    });

    it('closes a huge frame with 1009 and disturbs nobody', async () => {
      attacker.sendRaw(
        `{"event":"message","data":{"room":"lobby","text":"${'x'.repeat(1 << 20)}"}}`,
      );

      expect((await attacker.waitClosed(5000)).code).toBe(1009);
      await expectBystanderUndisturbed();
    });

    it('treats JSON that is not an object (null, [1], 42, "s") as plain chat text for lobby, as the contract says', async () => {
      for (const frame of ['null', '[1,2]', '42', '"s"']) attacker.sendRaw(frame);

      const received = [];
      for (let i = 0; i < 4; i += 1) received.push((await bystander.next('message')).data.text);
      expect(received).toEqual(['null', '[1,2]', '42', '"s"']);
    });

    it('parses an envelope preceded by whitespace as an envelope', async () => {
      attacker.sendRaw(
        ' \r\n\t {"event":"message","data":{"room":"lobby","text":"hi","ref":"ws"}}',
      );

      expect((await attacker.next((f) => f.data.ref === 'ws')).event).toBe('ack');
      expect((await bystander.next('message')).data.text).toBe('hi');
    });
  });

  describe('prototype pollution and spoofing', () => {
    let peer: TestClient;

    beforeEach(async () => {
      sut = await startApp(UNLIMITED);
      [attacker, bystander, peer] = await connectUsers(sut, 'mallory', 'bob', 'peer');
      await attacker.request('join', { room: 'den' });
      await peer.request('join', { room: 'den' });
    });

    it('ignores a __proto__ key in data: no pollution, and the message arrives without it', async () => {
      attacker.sendRaw(
        '{"event":"message","data":{"room":"den","text":"hi","ref":"p","__proto__":{"polluted":"yes","isAdmin":true}}}',
      );

      expect((await attacker.next((f) => f.data.ref === 'p')).event).toBe('ack');
      const { data } = await peer.next('message');
      expect(Object.keys(data).sort()).toEqual(['from', 'id', 'room', 'text', 'ts']);
      expectPrototypesClean();
      await expectBystanderUndisturbed();
    });

    it('ignores a constructor.prototype key in data: no pollution', async () => {
      attacker.sendRaw(
        '{"event":"message","data":{"room":"den","text":"hi","ref":"c","constructor":{"prototype":{"polluted":"yes"}}}}',
      );

      expect((await attacker.next((f) => f.data.ref === 'c')).event).toBe('ack');
      expectPrototypesClean();
    });

    it('ignores a __proto__ key on the envelope itself', async () => {
      attacker.sendRaw(
        '{"__proto__":{"polluted":"yes"},"event":"message","data":{"room":"den","text":"hi","ref":"e"}}',
      );

      expect((await attacker.next((f) => f.data.ref === 'e')).event).toBe('ack');
      expectPrototypesClean();
    });

    it('does not take fields from a __proto__ object: a request made only of one is invalid', async () => {
      attacker.sendRaw(
        '{"event":"message","data":{"__proto__":{"room":"den","text":"hi","ref":"x"}}}',
      );

      const { data } = await attacker.next('error');
      expect(data.code).toBe('validation_failed');
      expect(data).not.toHaveProperty('ref');
      expect(await peer.collect('message', 150)).toEqual([]);
      expectPrototypesClean();
    });

    it('ignores nested __proto__ keys deep inside data', async () => {
      attacker.sendRaw(
        '{"event":"message","data":{"room":"den","text":"hi","ref":"n","x":[{"y":{"__proto__":{"polluted":1}}}]}}',
      );

      expect((await attacker.next((f) => f.data.ref === 'n')).event).toBe('ack');
      expectPrototypesClean();
    });

    it('keeps working after a constructor key that is a plain value', async () => {
      const reply = await attacker.request('message', {
        room: 'den',
        text: 'hi',
        constructor: 'x',
      });

      expect(reply.event).toBe('ack');
      expect((await peer.next('message')).data.text).toBe('hi');
    });

    it('ignores a spoofed from, id and ts in a message', async () => {
      const ack = await attacker.request('message', {
        room: 'den',
        text: 'trust me',
        from: { id: 'admin', name: 'Admin' },
        id: 'fake-id',
        ts: 0,
      });

      expect((await peer.next('message')).data).toEqual({
        id: ack.data.id,
        room: 'den',
        from: userOf('mallory'),
        text: 'trust me',
        ts: ack.data.ts,
      });
      expect(ack.data.id).not.toBe('fake-id');
    });

    it('ignores a spoofed from in a dm', async () => {
      await attacker.request('dm', {
        to: 'peer',
        text: 'it is me',
        from: userOf('bob'),
      });

      expect((await peer.next('dm')).data.from).toEqual(userOf('mallory'));
    });
  });

  describe('floods, with the default rate limits', () => {
    beforeEach(async () => {
      sut = await startApp();
      [attacker, bystander] = await connectUsers(sut, 'mallory', 'bob');
    });

    it('closes a socket flooding garbage with 1008, and the server still answers everyone else', async () => {
      for (let i = 0; i < 500; i += 1)
        attacker.sendRaw(i % 2 ? '{garbage' : '{"event":"nope","data":{}}');

      expect((await attacker.waitClosed(5000)).code).toBe(1008);
      await expectBystanderUndisturbed();
      const newcomer = await sut.connect(asUser('carol'));
      expect((await newcomer.request('message', { room: 'lobby', text: 'hello' })).event).toBe(
        'ack',
      );
    });

    it('closes a socket flooding messages with 1008 and delivers at most what the rate allowed', async () => {
      for (let i = 0; i < 500; i += 1)
        attacker.send('message', { room: 'lobby', text: `spam ${i}` });

      expect((await attacker.waitClosed(5000)).code).toBe(1008);
      const burst = [];
      for (let i = 0; i < 40; i += 1) burst.push((await bystander.next('message')).data.text);
      const more = await bystander.collect('message', 200);

      expect(burst).toEqual(Array.from({ length: 40 }, (_, i) => `spam ${i}`));
      expect(40 + more.length).toBeLessThan(500);
      expect(await bystander.drain(0)).toEqual([]);
    });

    it('survives many sockets opening and vanishing at once', async () => {
      const crowd = await Promise.all(
        Array.from({ length: 30 }, (_, i) => sut.connect(asUser(`crowd-${i}`))),
      );
      for (const client of crowd) client.socket.terminate();

      expect((await bystander.request('message', { room: 'lobby', text: 'still up' })).event).toBe(
        'ack',
      );
      expect(await bystander.drain(150)).toEqual([]);
    });
  });
});
