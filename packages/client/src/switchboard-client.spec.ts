import { backoffDelay } from './backoff.js';
import { FakeSocket } from './fake-socket.js';
import type { WebSocketConstructor } from './socket.js';
import { SwitchboardClient, type ConnectionState } from './switchboard-client.js';
import type { SwitchboardError } from './switchboard-error.js';

const URL = 'ws://chat.test/';

/** A client on fake sockets, jitter fixed at half the cap, and every state it went through. */
function clientWith(options: Partial<ConstructorParameters<typeof SwitchboardClient>[0]> = {}) {
  const sut = new SwitchboardClient({
    url: URL,
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    random: () => 0.5,
    requestTimeoutMs: 1000,
    ...options,
  });
  const states: ConnectionState[] = [];
  sut.on('state', (state) => states.push(state));
  return { sut, states };
}

/** Lets the client's promises and due timers run. */
const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** The server's `joined` for `design` on the newest socket: no members, `messages`, `recovered`. */
function replyJoined(messages: unknown[], recovered: boolean): void {
  FakeSocket.last.reply('join', 'joined', { room: 'design', members: [], messages, recovered });
}

async function connected(options: Parameters<typeof clientWith>[0] = {}) {
  const made = clientWith(options);
  made.sut.connect();
  await settle();
  FakeSocket.last.open();
  return made;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.created = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('grows the cap exponentially from initialMs up to maxMs, with full jitter', () => {
    const top = () => 0.999999;

    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, {}, top))).toEqual([
      499, 999, 1999, 3999, 29999,
    ]);
    expect(backoffDelay(5, {}, () => 0)).toBe(0);
  });
});

describe('SwitchboardClient connection', () => {
  it('offers the switchboard subprotocol and the token beside it, never in the URL', async () => {
    const { sut, states } = clientWith({ getToken: () => 'tok.en', query: { name: 'Ann' } });

    sut.connect();
    await settle();
    FakeSocket.last.open();

    expect(FakeSocket.last.protocols).toEqual(['switchboard', 'switchboard.bearer.tok.en']);
    expect(FakeSocket.last.url).toBe('ws://chat.test/?name=Ann');
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected']);
  });

  it.each([
    [1001, 'going_away'],
    [1006, 'network'],
    [1011, 'server_error'],
    [1013, 'overloaded'],
  ])('reconnects after %i (%s) with a jittered backoff', async (code, reason) => {
    const { states } = await connected();

    FakeSocket.last.drop(code);

    expect(states.at(-1)).toEqual({ status: 'disconnected', reason, code, retryInMs: 250 });
    await settle(249);
    expect(FakeSocket.created).toHaveLength(1);
    await settle(1);
    expect(FakeSocket.created).toHaveLength(2);
  });

  it('backs off longer on every attempt that fails in a row', async () => {
    const { states } = await connected();

    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.drop(1006);
    await settle(500);
    FakeSocket.last.drop(1006);

    expect(states.filter((s) => s.status === 'disconnected').map((s) => s.retryInMs)).toEqual([
      250, 500, 1000,
    ]);
  });

  it('reconnects at once after 4001 with a fresh token from getToken', async () => {
    let issued = 0;
    await connected({ getToken: () => `token${(issued += 1)}` });

    FakeSocket.last.drop(4001);
    await settle();

    expect(FakeSocket.created).toHaveLength(2);
    expect(FakeSocket.last.protocols).toEqual(['switchboard', 'switchboard.bearer.token2']);
  });

  it('does not reconnect after 1008', async () => {
    const { states } = await connected();

    FakeSocket.last.drop(1008);
    await settle(60_000);

    expect(states.at(-1)).toEqual({ status: 'closed', reason: 'policy_violation', code: 1008 });
    expect(FakeSocket.created).toHaveLength(1);
  });

  it("does not reconnect after 4003, the app's server disconnecting the user", async () => {
    const { states } = await connected();

    FakeSocket.last.drop(4003);
    await settle(60_000);

    expect(states.at(-1)).toEqual({ status: 'closed', reason: 'server_disconnect', code: 4003 });
    expect(FakeSocket.created).toHaveLength(1);
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ])('does not reconnect after a handshake refused with %i', async (status, reason) => {
    const { sut, states } = clientWith();
    sut.connect();
    await settle();

    FakeSocket.last.refuse(status);
    await settle(60_000);

    expect(states.at(-1)).toEqual({ status: 'closed', reason, code: 1006, httpStatus: status });
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('backs off after a handshake refused with 503', async () => {
    const { sut, states } = clientWith();
    sut.connect();
    await settle();

    FakeSocket.last.refuse(503);
    await settle(250);

    expect(states.at(-1)).toMatchObject({ status: 'connecting', attempt: 1 });
    expect(states.find((s) => s.status === 'disconnected')).toMatchObject({ reason: 'refused' });
  });

  it('stops as unreachable after maxFailuresBeforeOpen attempts fail before opening', async () => {
    const { sut, states } = clientWith({ maxFailuresBeforeOpen: 3 });
    sut.connect();
    for (let i = 0; i < 3; i += 1) {
      await settle(10_000);
      FakeSocket.last.drop(1006);
    }
    await settle(60_000);

    expect(states.at(-1)).toEqual({ status: 'closed', reason: 'unreachable', code: 1006 });
    expect(FakeSocket.created).toHaveLength(3);
  });

  it('closes for good on close(), rejecting what waits for a reply', async () => {
    const { sut, states } = await connected();
    const waiting = sut.request('members', { room: 'a' });

    sut.close();

    await expect(waiting).rejects.toMatchObject({ code: 'closed' });
    expect(states.at(-1)).toEqual({ status: 'closed', reason: 'client_closed', code: 1000 });
    expect(FakeSocket.last.closedWith).toBe(1000);
  });
  it('asks a query function for the URL parameters before every attempt', async () => {
    let name = 'Ann';
    const { sut } = await connected({ query: () => ({ name }) });
    expect(FakeSocket.last.url).toBe('ws://chat.test/?name=Ann');

    name = 'Annie';
    sut.reconnect();
    await settle();

    expect(FakeSocket.created).toHaveLength(2);
    expect(FakeSocket.last.url).toBe('ws://chat.test/?name=Annie');
  });

  it('reconnects at once on reconnect(): the old socket is closed, its requests fail, its sends go again', async () => {
    const { sut, states } = await connected();
    const old = FakeSocket.last;
    const waiting = sut.request('members', { room: 'a' });
    const sending = sut.sendDm('u2', 'hi');
    await settle();
    expect(old.sentOf('dm')).toHaveLength(1);

    sut.reconnect();
    await expect(waiting).rejects.toMatchObject({ code: 'disconnected' });
    await settle();
    FakeSocket.last.open();
    await settle();
    FakeSocket.last.reply('dm', 'ack', { id: '7', ts: 1 });

    expect(await sending).toMatchObject({ id: '7' });
    expect(old.closedWith).toBe(1000);
    expect(FakeSocket.last.sentOf('dm')[0].clientMsgId).toBe(old.sentOf('dm')[0].clientMsgId);
    expect(states.map((s) => s.status)).toEqual([
      'connecting',
      'connected',
      'connecting',
      'connected',
    ]);
  });

  it('reconnects after a close for good on reconnect(), as connect() does', async () => {
    const { sut } = await connected();
    FakeSocket.last.drop(1008);

    sut.reconnect();
    await settle();

    expect(FakeSocket.created).toHaveLength(2);
    expect(sut.state).toEqual({ status: 'connecting', attempt: 0 });
  });

  it('makes no further attempt when the app closes the client as it is told of a disconnection', async () => {
    const { sut } = await connected({ getToken: () => 'expired' });
    sut.on('state', (state) => {
      if (state.status === 'disconnected' && state.reason === 'token_expired') sut.close();
    });

    FakeSocket.last.drop(4001);
    await settle(60_000);

    expect(FakeSocket.created).toHaveLength(1);
    expect(sut.state).toMatchObject({ status: 'closed', reason: 'client_closed' });
  });
});

describe('SwitchboardClient requests', () => {
  it('matches replies to requests by ref, whatever their order', async () => {
    const { sut } = await connected();
    const first = sut.request('members', { room: 'a' });
    const second = sut.request('members', { room: 'b' });
    const [a, b] = FakeSocket.last.sentOf('members');

    FakeSocket.last.receive('members', { room: 'b', members: [], count: 2, ref: b.ref });
    FakeSocket.last.receive('members', { room: 'a', members: [], count: 1, ref: a.ref });

    expect(await first).toMatchObject({ room: 'a', count: 1 });
    expect(await second).toMatchObject({ room: 'b', count: 2 });
  });

  it("rejects with the server's error code and details", async () => {
    const { sut } = await connected();
    const request = sut.request('members', { room: 'a' });

    FakeSocket.last.reply('members', 'error', {
      code: 'rate_limited',
      message: 'slow down',
      details: { retryAfterMs: 50 },
    });

    await expect(request).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterMs: 50 },
    });
  });

  it('rejects with timeout when no reply comes within the timeout', async () => {
    const { sut } = await connected();
    const request = sut.request('members', { room: 'a' }, { timeoutMs: 300 });
    const outcome = request.catch((error: SwitchboardError) => error.code);

    await settle(300);

    expect(await outcome).toBe('timeout');
  });

  it('rejects with disconnected when the socket drops before the reply', async () => {
    const { sut } = await connected();
    const request = sut.request('members', { room: 'a' });

    FakeSocket.last.drop(1006);

    await expect(request).rejects.toMatchObject({ code: 'disconnected' });
  });
});

describe('SwitchboardClient rooms', () => {
  const message = (id: string, room = 'design') => ({
    id,
    room,
    from: { id: 'u2', name: 'Bo' },
    text: id,
    ts: 1,
  });

  async function joinedDesign() {
    const made = await connected();
    const room = made.sut.join('design');
    replyJoined([message('1')], false);
    await settle();
    return { ...made, room };
  }

  it('rejoins after a reconnect with since, the last message id it saw', async () => {
    const { room } = await joinedDesign();
    FakeSocket.last.receive('message', message('2'));

    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();

    expect(room.state).toBe('joining');
    expect(FakeSocket.last.sentOf('join')).toEqual([
      { room: 'design', since: '2', ref: expect.any(String) },
    ]);
  });

  it('tells the app of a gap when a rejoin could not recover', async () => {
    const { room } = await joinedDesign();
    const joins: boolean[] = [];
    room.on('joined', (joined) => joins.push(joined.gap));
    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();

    replyJoined([message('9')], false);
    await settle();

    expect(joins).toEqual([true]);
    expect(room.state).toBe('joined');
  });

  it('shows a recovered message once, however often it arrives', async () => {
    const { sut, room } = await joinedDesign();
    const shown: string[] = [];
    room.on('message', (m) => shown.push(m.id));
    const own = sut.send('design', 'mine');
    FakeSocket.last.reply('message', 'ack', { id: '2', room: 'design', ts: 1 });
    await own;
    FakeSocket.last.receive('message', message('3'));
    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();

    let recovered: string[] = [];
    room.on('joined', (joined) => (recovered = joined.messages.map((m) => m.id)));
    replyJoined([message('2'), message('3'), message('4')], true);
    await settle();
    FakeSocket.last.receive('message', message('4'));

    expect(shown).toEqual(['3']);
    expect(recovered).toEqual(['4']);
  });

  it("shows a rejoin's recovered messages before live ones read in the same turn", async () => {
    const { room } = await joinedDesign();
    const shown: string[] = [];
    room.on('joined', (joined) => shown.push(...joined.messages.map((m) => m.id)));
    room.on('message', (m) => shown.push(m.id));
    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();

    replyJoined([message('2'), message('3')], true);
    FakeSocket.last.receive('message', message('4'));
    await settle();

    expect(shown).toEqual(['2', '3', '4']);
  });

  it('holds a room request made during a rejoin until the room is joined again', async () => {
    const { room } = await joinedDesign();
    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();

    const page = room.history({ limit: 10 });
    await settle();
    expect(FakeSocket.last.sentOf('history')).toEqual([]);
    replyJoined([], true);
    await settle();
    FakeSocket.last.reply('history', 'history', { room: 'design', messages: [] });

    expect(await page).toEqual({ room: 'design', messages: [], ref: expect.any(String) });
    expect(FakeSocket.last.sentOf('history')).toMatchObject([{ room: 'design', limit: 10 }]);
  });

  it('fails the subscription when the join is forbidden', async () => {
    const { sut } = await connected();
    const room = sut.join('private:x');
    const ready = room.ready();

    FakeSocket.last.reply('join', 'error', { code: 'forbidden', message: 'forbidden' });

    await expect(ready).rejects.toMatchObject({ code: 'forbidden' });
    expect(room.state).toBe('failed');
  });
});

describe('SwitchboardClient outbox', () => {
  const ack = (id: string) => ({ id, room: 'design', ts: 1 });

  async function joinedDesign() {
    const made = await connected();
    made.sut.join('design');
    replyJoined([], false);
    await settle();
    return made;
  }

  it('holds sends while disconnected and sends them once the room is joined', async () => {
    const { sut } = clientWith();
    sut.join('design');
    const sending = sut.send('design', 'early');
    sut.connect();
    await settle();
    FakeSocket.last.open();

    expect(FakeSocket.last.sentOf('message')).toEqual([]);
    replyJoined([], false);
    await settle();
    expect(FakeSocket.last.sentOf('message')).toMatchObject([{ room: 'design', text: 'early' }]);
    FakeSocket.last.reply('message', 'ack', ack('1'));
    expect(await sending).toMatchObject({ id: '1' });
  });

  it('keeps one send of a room in flight, the next after its ack', async () => {
    const { sut } = await joinedDesign();
    const sends = ['a', 'b', 'c'].map((text) => sut.send('design', text));
    await settle();

    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a']);
    FakeSocket.last.reply('message', 'ack', ack('1'));
    await settle();
    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a', 'b']);
    FakeSocket.last.reply('message', 'ack', ack('2'));
    await settle();
    FakeSocket.last.reply('message', 'ack', ack('3'));

    expect((await Promise.all(sends)).map((a) => a.id)).toEqual(['1', '2', '3']);
  });

  it('resends a rate-limited send with the same clientMsgId after retryAfterMs, before later sends', async () => {
    const { sut } = await joinedDesign();
    void sut.send('design', 'a');
    void sut.send('design', 'b');
    await settle();

    FakeSocket.last.reply('message', 'error', {
      code: 'rate_limited',
      message: 'slow down',
      details: { retryAfterMs: 400 },
    });
    await settle(399);
    expect(FakeSocket.last.sentOf('message')).toHaveLength(1);
    await settle(1);

    const [first, again] = FakeSocket.last.sentOf('message');
    expect(again).toMatchObject({ text: 'a', clientMsgId: first.clientMsgId });
    expect(again.ref).not.toBe(first.ref);
  });

  it('paces later sends at twice retryAfterMs after a refusal, so it does not earn one refusal per send', async () => {
    const { sut } = await joinedDesign();
    for (const text of ['a', 'b', 'c']) void sut.send('design', text);
    await settle();
    FakeSocket.last.reply('message', 'error', {
      code: 'rate_limited',
      message: 'slow down',
      details: { retryAfterMs: 100 },
    });
    await settle(100);
    FakeSocket.last.reply('message', 'ack', ack('1'));

    await settle(199);
    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a', 'a']);
    await settle(1);
    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a', 'a', 'b']);
  });

  it('slows its pace down again at each refusal while pacing, staying clear of the unanswered refusals', async () => {
    const { sut } = await joinedDesign();
    for (const text of ['a', 'b', 'c']) void sut.send('design', text);
    await settle();
    const refuse = () =>
      FakeSocket.last.reply('message', 'error', {
        code: 'rate_limited',
        message: 'slow down',
        details: { retryAfterMs: 100 },
      });
    refuse();
    await settle(100);
    refuse();
    await settle(100);
    FakeSocket.last.reply('message', 'ack', ack('1'));

    // Two refusals in a row: the pace is 4 x 100 ms after the last send of 'a'.
    await settle(399);
    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a', 'a', 'a']);
    await settle(1);
    expect(FakeSocket.last.sentOf('message').map((m) => m.text)).toEqual(['a', 'a', 'a', 'b']);
  });

  it('resends a send lost with its socket after the reconnect and rejoin, same clientMsgId, before later sends', async () => {
    const { sut } = await joinedDesign();
    void sut.send('design', 'a');
    void sut.send('design', 'b');
    await settle();
    const lost = FakeSocket.last.sentOf('message')[0];

    FakeSocket.last.drop(1006);
    await settle(250);
    FakeSocket.last.open();
    replyJoined([], true);
    await settle();

    expect(FakeSocket.last.sentOf('message')).toEqual([
      { room: 'design', text: 'a', clientMsgId: lost.clientMsgId, ref: expect.any(String) },
    ]);
  });

  it('rejects a send the server refuses for good, and goes on with the next', async () => {
    const { sut } = await joinedDesign();
    const bad = sut.send('design', ' ').catch((error: SwitchboardError) => error.code);
    const good = sut.send('design', 'b');
    await settle();

    FakeSocket.last.reply('message', 'error', { code: 'validation_failed', message: 'text' });
    await settle();
    FakeSocket.last.reply('message', 'ack', ack('2'));

    expect(await bad).toBe('validation_failed');
    expect(await good).toMatchObject({ id: '2' });
  });

  it('gives every send its own clientMsgId', async () => {
    const { sut } = await joinedDesign();
    void sut.sendDm('u2', 'x');
    void sut.sendDm('u3', 'y');
    await settle();

    const [x, y] = FakeSocket.last.sentOf('dm');
    expect(x.clientMsgId).not.toBe(y.clientMsgId);
  });
});

describe('SwitchboardClient heartbeat', () => {
  const quick = { heartbeat: { intervalMs: 1000, timeoutMs: 500 } };
  const presence = { room: 'lobby', user: { id: 'u2', name: 'Bo' }, action: 'join' };

  it('sends no ping while frames keep coming', async () => {
    await connected(quick);

    for (let i = 0; i < 10; i += 1) {
      await settle(900);
      FakeSocket.last.receive('presence', presence);
    }

    expect(FakeSocket.last.sentOf('ping')).toEqual([]);
  });

  it('sends one ping, with a ref, after intervalMs of silence', async () => {
    await connected(quick);

    await settle(999);
    expect(FakeSocket.last.sentOf('ping')).toEqual([]);
    await settle(1);

    expect(FakeSocket.last.sentOf('ping')).toEqual([{ ref: expect.any(String) }]);
  });

  it('counts the silence from the last frame, whatever it was', async () => {
    await connected(quick);

    await settle(700);
    FakeSocket.last.receive('presence', presence);
    await settle(999);
    expect(FakeSocket.last.sentOf('ping')).toEqual([]);
    await settle(1);

    expect(FakeSocket.last.sentOf('ping')).toHaveLength(1);
  });

  it('stays connected when any frame, not only pong, arrives within timeoutMs of the ping, and pings again after the next silence', async () => {
    const { states } = await connected(quick);

    await settle(1000);
    await settle(400);
    FakeSocket.last.receive('presence', presence);
    await settle(999);
    expect(FakeSocket.last.sentOf('ping')).toHaveLength(1);
    await settle(1);

    expect(FakeSocket.last.sentOf('ping')).toHaveLength(2);
    expect(FakeSocket.last.closedWith).toBeUndefined();
    expect(FakeSocket.created).toHaveLength(1);
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('stays connected when the pong arrives, and resolves a ping the app sends itself', async () => {
    const { sut, states } = await connected(quick);

    const asked = sut.request('ping', {});
    FakeSocket.last.reply('ping', 'pong', {});
    await settle(1000);
    FakeSocket.last.reply('ping', 'pong', {});
    await settle(1000);

    expect(await asked).toEqual({ ref: expect.any(String) });
    expect(FakeSocket.last.closedWith).toBeUndefined();
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('drops a socket that stays silent timeoutMs after the ping, as disconnected (heartbeat_timeout), then reconnects, rejoins and resends', async () => {
    const { sut, states } = await connected(quick);
    const room = sut.join('design');
    replyJoined(
      [{ id: '7', room: 'design', from: { id: 'u2', name: 'Bo' }, text: 'hi', ts: 1 }],
      false,
    );
    const sending = sut.send('design', 'lost in the void');
    await settle(1000);
    const silent = FakeSocket.last;

    await settle(499);
    expect(silent.closedWith).toBeUndefined();
    await settle(1);

    expect(silent.closedWith).toBe(1000);
    expect(states.at(-1)).toEqual({
      status: 'disconnected',
      reason: 'heartbeat_timeout',
      code: 1006,
      retryInMs: 250,
    });
    expect(room.state).toBe('joining');
    await settle(250);
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.last.open();
    expect(states.at(-1)).toEqual({ status: 'connected' });
    expect(FakeSocket.last.sentOf('join')).toEqual([
      { room: 'design', since: '7', ref: expect.any(String) },
    ]);
    replyJoined([], true);
    await settle();
    const [resent] = FakeSocket.last.sentOf('message');
    expect(resent).toMatchObject({
      text: 'lost in the void',
      clientMsgId: silent.sentOf('message')[0].clientMsgId,
    });
    FakeSocket.last.reply('message', 'ack', { id: '8', room: 'design', ts: 2 });
    expect(await sending).toMatchObject({ id: '8' });
  });

  it('ignores frames of a socket it dropped: they prove nothing of the new one', async () => {
    await connected(quick);
    await settle(1500);
    const dropped = FakeSocket.created[0];
    await settle(250);
    FakeSocket.last.open();

    await settle(500);
    dropped.receive('presence', presence);
    await settle(500);

    expect(FakeSocket.last.sentOf('ping')).toHaveLength(1);
  });

  it('never pings with heartbeat: false', async () => {
    const { states } = await connected({ heartbeat: false });

    await settle(10 * 60_000);

    expect(FakeSocket.last.sent).toEqual([]);
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('defaults to a ping after 25 s of silence and a drop 10 s later', async () => {
    const { states } = await connected();

    await settle(24_999);
    expect(FakeSocket.last.sentOf('ping')).toEqual([]);
    await settle(1);
    expect(FakeSocket.last.sentOf('ping')).toHaveLength(1);
    await settle(9_999);
    expect(states.at(-1)).toEqual({ status: 'connected' });
    await settle(1);

    expect(states.at(-1)).toMatchObject({ status: 'disconnected', reason: 'heartbeat_timeout' });
  });

  it('leaves no timer behind once closed, and a closed client never pings', async () => {
    const { sut } = await connected(quick);
    await settle(500);

    sut.close();

    expect(vi.getTimerCount()).toBe(0);
    await settle(60_000);
    expect(FakeSocket.last.sentOf('ping')).toEqual([]);
  });

  it('leaves no heartbeat timer behind while disconnected: only the reconnect waits', async () => {
    await connected({ ...quick, backoff: { initialMs: 60_000 } });

    FakeSocket.last.drop(1006);

    expect(vi.getTimerCount()).toBe(1);
  });

  it.each([
    [{ intervalMs: 0 }, 'heartbeat.intervalMs'],
    [{ intervalMs: -1 }, 'heartbeat.intervalMs'],
    [{ intervalMs: Number.POSITIVE_INFINITY }, 'heartbeat.intervalMs'],
    [{ intervalMs: Number.NaN }, 'heartbeat.intervalMs'],
    [{ timeoutMs: 0 }, 'heartbeat.timeoutMs'],
    [{ timeoutMs: '500' as unknown as number }, 'heartbeat.timeoutMs'],
  ])('refuses heartbeat %o with a RangeError naming %s', (heartbeat, name) => {
    expect(() => clientWith({ heartbeat })).toThrow(RangeError);
    expect(() => clientWith({ heartbeat })).toThrow(name);
  });
});

describe('SwitchboardClient in a browser', () => {
  let window: EventTarget & {
    document: { visibilityState: string };
    navigator: { onLine: boolean };
  };

  beforeEach(() => {
    const target = new EventTarget();
    window = Object.assign(target, {
      document: { visibilityState: 'visible' },
      navigator: { onLine: true },
    });
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    vi.stubGlobal('document', window.document);
    vi.stubGlobal('navigator', window.navigator);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('drops the socket when the browser goes offline, and reconnects at once when it is back online', async () => {
    const { states } = await connected();

    window.navigator.onLine = false;
    window.dispatchEvent(new Event('offline'));
    expect(states.at(-1)).toMatchObject({ status: 'disconnected', reason: 'offline' });
    expect(FakeSocket.last.closedWith).toBe(1000);

    window.navigator.onLine = true;
    window.dispatchEvent(new Event('online'));
    await settle();
    expect(FakeSocket.created).toHaveLength(2);
  });

  it('makes no attempt while the browser is offline: it waits for online', async () => {
    const { states } = await connected();

    window.navigator.onLine = false;
    window.dispatchEvent(new Event('offline'));
    await settle(120_000);

    expect(FakeSocket.created).toHaveLength(1);
    expect(states.at(-1)).toEqual({ status: 'disconnected', reason: 'offline', code: 1006 });
    window.navigator.onLine = true;
    window.dispatchEvent(new Event('online'));
    await settle();
    FakeSocket.last.open();
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('reconnects at once when the page becomes visible while waiting to retry', async () => {
    await connected({ backoff: { initialMs: 60_000 } });
    FakeSocket.last.drop(1006);

    window.dispatchEvent(new Event('visibilitychange'));
    await settle();

    expect(FakeSocket.created).toHaveLength(2);
  });

  it('stops as unreachable after 10 attempts in a row fail before opening (a refused handshake looks so)', async () => {
    const { sut, states } = clientWith();
    sut.connect();
    for (let i = 0; i < 10; i += 1) {
      await settle(60_000);
      FakeSocket.last.drop(1006);
    }
    await settle(60_000);

    expect(FakeSocket.created).toHaveLength(10);
    expect(states.at(-1)).toMatchObject({ status: 'closed', reason: 'unreachable' });
  });
});
