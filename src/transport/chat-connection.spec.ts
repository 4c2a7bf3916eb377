import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../protocol/close-code.js';
import { ChatConnection, type ConnectionLimits } from './chat-connection.js';
import { ChatSocket } from './chat-socket.js';
import { prepareFrame, prepareRun } from './prepared-frame.js';

/** A real server socket wrapped in a ChatConnection, and the real client at the other end. */
async function connectedPair(limits: Partial<ConnectionLimits> = {}): Promise<{
  connection: ChatConnection;
  client: WebSocket;
  received: string[];
  writes: () => number;
  /** Calls that reach the socket's handle: each is one system call. */
  handleCalls: () => { write: number; writev: number };
  close: () => Promise<void>;
  slowConsumerCloses: () => number;
}> {
  let slowConsumerCloses = 0;
  // The adapter's servers create ChatSockets, the sockets a connection is opened on.
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: false,
    WebSocket: ChatSocket,
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<ChatSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const received: string[] = [];
  client.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  await new Promise((resolve) => client.once('open', resolve));
  const socket = await accepted;
  const connection = new ChatConnection(
    'c1',
    socket,
    { user: { id: 'u1', name: 'Ann' }, roomClaims: [] },
    {
      ratePerSecond: 10,
      rateBurst: 10,
      slowConsumerBytes: 1 << 20,
      refusalSilentAfter: 2,
      refusalCloseAfter: 4,
      refusalWindowMs: 60_000,
      ...limits,
    },
    { slowConsumerClosed: () => (slowConsumerCloses += 1) },
  );
  /** The TCP socket under ws, with the stream methods that reach its handle. */
  type RawSocket = Duplex & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const raw = (socket as unknown as { _socket: RawSocket })._socket;
  const write = vi.spyOn(raw, 'write');
  const handleWrite = vi.spyOn(raw, '_write');
  const handleWritev = vi.spyOn(raw, '_writev');
  return {
    connection,
    client,
    received,
    writes: () => write.mock.calls.length,
    handleCalls: () => ({
      write: handleWrite.mock.calls.length,
      writev: handleWritev.mock.calls.length,
    }),
    slowConsumerCloses: () => slowConsumerCloses,
    close: async () => {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));
const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('ChatConnection', () => {
  let pair: Awaited<ReturnType<typeof connectedPair>>;

  beforeEach(async () => {
    pair = await connectedPair();
  });

  afterEach(async () => {
    await pair.close();
  });

  it('writes every frame of one event-loop turn in one write, in order, at the end of the turn', async () => {
    const { connection, received, writes, handleCalls } = pair;
    const shared = prepareFrame(Buffer.from('{"event":"message","data":{"n":2}}'));

    connection.send('{"event":"ack","data":{"n":1}}');
    connection.sendPrepared(shared);
    connection.sendRoomRun(
      'lobby',
      prepareRun(
        [3, 4].map((n) => prepareFrame(Buffer.from(`{"event":"message","data":{"n":${n}}}`))),
        ['a', 'b'],
      ),
    );
    expect(writes()).toBe(0);
    await turnEnd();

    expect(writes()).toBe(3);
    expect(handleCalls()).toEqual({ write: 0, writev: 1 });
    await until(() => received.length === 4);
    expect(received.map((frame) => JSON.parse(frame).data.n)).toEqual([1, 2, 3, 4]);
  });

  it('writes one frame of a turn as it is', async () => {
    const { connection, received, handleCalls } = pair;

    connection.send('{"event":"ack","data":{"n":1}}');
    await turnEnd();

    expect(handleCalls()).toEqual({ write: 1, writev: 0 });
    await until(() => received.length === 1);
  });

  it('pings with the same two bytes each time, one write each, which the client takes as pings', async () => {
    const { connection, client } = pair;
    const raw = (connection.socket as unknown as { _socket: Duplex })._socket;
    const write = vi.spyOn(raw, 'write');
    let pings = 0;
    client.on('ping', () => (pings += 1));

    connection.ping();
    connection.ping();

    expect(write).toHaveBeenCalledTimes(2);
    const [[first], [second]] = write.mock.calls;
    expect(first).toEqual(Buffer.from([0x89, 0x00]));
    expect(second).toBe(first);
    await until(() => pings === 2);
    expect(pings).toBe(2);
  });

  it('sends what the turn held before its close frame', async () => {
    const { connection, client, received } = pair;
    const closed = new Promise<number>((resolve) => client.once('close', resolve));

    connection.send('{"event":"error","data":{"n":1}}');
    connection.send('{"event":"error","data":{"n":2}}');
    connection.close(CloseCode.TokenExpired, 'token expired');

    expect(await closed).toBe(CloseCode.TokenExpired);
    expect(received.map((frame) => JSON.parse(frame).data.n)).toEqual([1, 2]);
  });

  it('drops what the turn held for a socket that closed meanwhile', async () => {
    const { connection, writes } = pair;

    connection.send('{"event":"ack","data":{}}');
    connection.socket.terminate();
    await turnEnd();

    expect(writes()).toBe(0);
    expect(connection.send('{"event":"ack","data":{}}')).toBe(false);
  });

  it('counts the bytes held this turn against SLOW_CONSUMER_BYTES: a turn cannot queue past it', async () => {
    await pair.close();
    pair = await connectedPair({ slowConsumerBytes: 5000 });
    const { connection, client, slowConsumerCloses } = pair;
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    const frame = prepareFrame(Buffer.from(JSON.stringify({ event: 'x', data: 'y'.repeat(1000) })));
    expect(frame.wire.length).toBe(1027);

    const accepted = [1, 2, 3, 4, 5].map(() => connection.sendPrepared(frame));

    expect(accepted).toEqual([true, true, true, true, false]);
    expect(slowConsumerCloses()).toBe(1);
    expect(await closed).toBe(CloseCode.TryAgainLater);
  });

  it('takes one frame larger than SLOW_CONSUMER_BYTES when nothing else is queued', async () => {
    await pair.close();
    pair = await connectedPair({ slowConsumerBytes: 1024 });
    const { connection, received } = pair;

    expect(connection.send(JSON.stringify({ event: 'x', data: 'y'.repeat(4000) }))).toBe(true);
    await until(() => received.length === 1);
    expect(received).toHaveLength(1);
  });

  it('answers refusals up to the silent limit, then counts them unanswered, then closes with 1008', async () => {
    const { connection, client } = pair;
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    const answered: boolean[] = [];

    for (let i = 0; i < 3; i += 1) {
      connection.countRefusal();
      answered.push(connection.answersRefusals);
    }
    expect(answered).toEqual([true, true, false]);
    expect(connection.isOpen).toBe(true);

    connection.countRefusal();
    expect(await closed).toBe(CloseCode.PolicyViolation);
  });

  it('grants a full burst of frames to a socket that sent none yet, then makes the next wait', () => {
    const { connection } = pair;

    const waits = Array.from({ length: 11 }, () => connection.takeRateToken());

    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits[10]).toBeGreaterThan(0);
    expect(waits[10]).toBeLessThanOrEqual(100);
  });

  it('does not reset the refusal count when a rate token is granted in between', async () => {
    const { connection, client } = pair;
    const closed = new Promise<number>((resolve) => client.once('close', resolve));

    for (let i = 0; i < 4; i += 1) {
      expect(connection.takeRateToken()).toBe(0);
      connection.countRefusal();
    }

    expect(await closed).toBe(CloseCode.PolicyViolation);
  });
});
