import { documentedVerifier } from './utils/documented-verifier.js';
import { readMetric } from './utils/metrics.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';
import { asUser, userOf } from './utils/users.js';
import { waitFor } from './utils/wait-for.mjs';
import { WebhookReceiver, type Answer } from './utils/webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';

describe('webhooks on one node (in process)', () => {
  let receiver: WebhookReceiver;
  let sut: TestApp;

  async function start(env: TestEnv = {}, answer?: Answer): Promise<void> {
    receiver = await WebhookReceiver.start(answer);
    sut = await startApp({
      DEFAULT_ROOM: '',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_PRESENCE_DEBOUNCE_MS: '0',
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_RETRY_MAX_MS: '100',
      ...env,
    });
  }

  afterEach(async () => {
    await sut?.close();
    await receiver?.close();
  });

  it('signs each request so that the snippet of docs/INTEGRATION.md verifies it, and only with the right secret', async () => {
    await start();
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });
    await receiver.waitForAccepted((events) => events.length >= 2, 'occupied and joined');
    const verify = documentedVerifier();

    const [request] = receiver.requests;
    const headers = {
      'switchboard-timestamp': request.timestamp,
      'switchboard-signature': request.signature,
    };
    expect(verify(request.body, headers, SECRET)).toBe(true);
    expect(verify(request.body, headers, 'another-secret-0123456789')).toBe(false);
    expect(verify(request.body.replace('ops', 'opz'), headers, SECRET)).toBe(false);
    expect(verify(request.body, headers, SECRET, -1)).toBe(false);
  });

  it('signs with both secrets during a rotation, so a receiver on either verifies', async () => {
    const next = 'whsec-next-0123456789abcdef';
    await start({ WEBHOOK_SECRET: `${next},${SECRET}` });
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });
    await receiver.waitForAccepted((events) => events.length >= 1, 'an event');
    const verify = documentedVerifier();

    const [request] = receiver.requests;
    const headers = {
      'switchboard-timestamp': request.timestamp,
      'switchboard-signature': request.signature,
    };
    expect(verify(request.body, headers, next)).toBe(true);
    expect(verify(request.body, headers, SECRET)).toBe(true);
  });

  it("tells a room's life in order: occupied, joined per user (not per socket), messages, left, vacated", async () => {
    await start({ WEBHOOK_MESSAGE_ROOMS: 'ops' });
    const alice = await sut.connect(asUser('alice'));
    const aliceTab = await sut.connect(asUser('alice'));
    const bob = await sut.connect(asUser('bob'));
    await alice.request('join', { room: 'ops' });
    await aliceTab.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });
    const acks = [];
    for (let i = 0; i < 5; i += 1)
      acks.push((await alice.request('message', { room: 'ops', text: `m${i}` })).data);
    await aliceTab.close();
    await alice.request('leave', { room: 'ops' });
    await bob.close();

    const events = await receiver.waitForAccepted(
      (all) => all.some((event) => event.type === 'room.vacated'),
      'room.vacated',
    );

    expect(events.map((event) => event.type)).toEqual([
      'room.occupied',
      'member.joined',
      'member.joined',
      ...acks.map(() => 'message.created'),
      'member.left',
      'member.left',
      'room.vacated',
    ]);
    expect(
      events.filter((e) => e.type === 'member.joined').map((e) => 'user' in e && e.user),
    ).toEqual([userOf('alice'), userOf('bob')]);
    expect(events.flatMap((e) => ('message' in e ? [e.message.id] : []))).toEqual(
      acks.map((ack) => ack?.id),
    );
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it('sends message.created only for rooms matching WEBHOOK_MESSAGE_ROOMS', async () => {
    await start({ WEBHOOK_MESSAGE_ROOMS: 'support-*,vip', WEBHOOK_EVENTS: 'message.created' });
    const alice = await sut.connect(asUser('alice'));
    for (const room of ['support-1', 'random', 'vip', 'vip2']) {
      await alice.request('join', { room });
      await alice.request('message', { room, text: `in ${room}` });
    }
    await alice.request('message', { room: 'support-1', text: 'last' });

    const events = await receiver.waitForAccepted(
      (all) => all.some((event) => 'message' in event && event.message.text === 'last'),
      'the last message',
    );

    expect(events.map((event) => event.room)).toEqual(['support-1', 'vip', 'support-1']);
  });

  it('delivers a batch exactly once to a receiver that fails twice, the same event ids on every attempt', async () => {
    await start({}, (n) => (n <= 2 ? 503 : 204));
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });

    await waitFor(() => receiver.requests.length >= 3, 'a third attempt');

    const ids = receiver.requests.map((request) => request.events.map((event) => event.id));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(receiver.accepted().map((event) => event.type)).toEqual([
      'room.occupied',
      'member.joined',
    ]);
    expect(await readMetric(sut.httpUrl, 'switchboard_webhook_attempts_failed_total')).toBe(2);
    expect(await readMetric(sut.httpUrl, 'switchboard_webhook_events_delivered_total')).toBe(2);
  });

  it('gives up on a dead receiver after WEBHOOK_MAX_ATTEMPTS, counted in the metrics', async () => {
    await start({ WEBHOOK_MAX_ATTEMPTS: '3' }, () => 500);
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });

    await waitFor(
      async () =>
        (await readMetric(sut.httpUrl, 'switchboard_webhook_events_exhausted_total')) === 2,
      'the two events to be given up',
    );

    expect(receiver.requests).toHaveLength(3);
    expect(
      await readMetric(sut.httpUrl, 'switchboard_webhook_attempts_failed_total', {
        reason: 'status',
      }),
    ).toBe(3);
    expect(await readMetric(sut.httpUrl, 'switchboard_webhook_events_delivered_total')).toBe(0);
  });

  it('keeps acking sends while the receiver never answers, dropping (and counting) events past the queue bound', async () => {
    await start(
      { WEBHOOK_MESSAGE_ROOMS: '*', WEBHOOK_TIMEOUT_MS: '600000', WEBHOOK_QUEUE_MAX_EVENTS: '5' },
      () => 'hang',
    );
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });
    await waitFor(() => receiver.requests.length === 1, 'the first request, left hanging');

    const acks = [];
    for (let i = 0; i < 30; i += 1)
      acks.push(await alice.request('message', { room: 'ops', text: `m${i}` }));

    expect(acks.every((ack) => ack.event === 'ack')).toBe(true);
    expect(receiver.requests).toHaveLength(1);
    expect(await readMetric(sut.httpUrl, 'switchboard_webhook_events_dropped_total')).toBe(25);
    expect(await readMetric(sut.httpUrl, 'switchboard_webhook_queue_events')).toBe(5);
  });

  it('sends nothing for a member who leaves and comes back within the debounce window', async () => {
    await start({ WEBHOOK_PRESENCE_DEBOUNCE_MS: '400' });
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });
    await alice.request('leave', { room: 'ops' });
    await alice.request('join', { room: 'ops' });
    await alice.close();

    // Only the final leave's events, once their window has passed; the quick leave and rejoin sent nothing.
    const events = await receiver.waitForAccepted(
      (all) => all.some((event) => event.type === 'room.vacated'),
      'room.vacated',
    );

    expect(events.map((event) => event.type)).toEqual([
      'room.occupied',
      'member.joined',
      'member.left',
      'room.vacated',
    ]);
  });

  it('sends left then joined for a member who comes back after the window', async () => {
    await start({
      WEBHOOK_PRESENCE_DEBOUNCE_MS: '100',
      WEBHOOK_EVENTS: 'member.joined,member.left',
    });
    const alice = await sut.connect(asUser('alice'));
    await alice.request('join', { room: 'ops' });
    await alice.request('leave', { room: 'ops' });
    await receiver.waitForAccepted((all) => all.length === 2, 'joined and left');
    await alice.request('join', { room: 'ops' });

    const events = await receiver.waitForAccepted((all) => all.length === 3, 'the second joined');

    expect(events.map((event) => event.type)).toEqual([
      'member.joined',
      'member.left',
      'member.joined',
    ]);
  });
});
