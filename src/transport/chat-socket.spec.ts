import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ChatConnection, connectionOf } from './chat-connection.js';
import { waitFor } from '../../test/utils/wait-for.mjs';
import { ChatSocket } from './chat-socket.js';

describe('ChatSocket', () => {
  let server: WebSocketServer;
  let client: WebSocket;
  let socket: ChatSocket;

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: ChatSocket });
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<ChatSocket>((resolve) => server.once('connection', resolve));
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await new Promise((resolve) => client.once('open', resolve));
    socket = await accepted;
  });

  afterEach(async () => {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A connection around the server's socket, as the adapter opens it. */
  const connect = () =>
    new ChatConnection(
      'c1',
      socket,
      { user: { id: 'u1', name: 'Ann' }, roomClaims: [] },
      {
        slowConsumerBytes: 1 << 20,
        refusalSilentAfter: 2,
        refusalCloseAfter: 4,
        refusalWindowMs: 60_000,
        ratePerSecond: 10,
        rateBurst: 10,
      },
      { slowConsumerClosed: () => undefined },
    );

  it("resets its connection's missed heartbeats when a pong arrives, with no 'pong' listener", async () => {
    const connection = connect();
    connection.missedPongs = 2;

    connection.ping();
    await waitFor(
      () => connection.missedPongs === 0,
      'the pong to reset the missed count',
      1000,
      5,
    );

    expect(connection.missedPongs).toBe(0);
    expect(socket.listenerCount('pong')).toBe(0);
  });

  it('holds the connection opened on it', () => {
    expect(() => connectionOf(socket)).toThrow('not accepted');

    const connection = connect();

    expect(socket.owner).toBe(connection);
    expect(connectionOf(socket)).toBe(connection);
  });

  it("still emits 'pong' to listeners of its own", async () => {
    connect();
    const pongs: string[] = [];
    socket.on('pong', (data: Buffer) => pongs.push(data.toString()));

    socket.ping('hello');
    await waitFor(() => pongs.length === 1, 'one pong', 1000, 5);

    expect(pongs).toEqual(['hello']);
  });

  it('takes pongs for a socket with no connection', async () => {
    const pongs: string[] = [];
    socket.on('pong', (data: Buffer) => pongs.push(data.toString()));

    socket.ping('early');
    await waitFor(() => pongs.length === 1, 'one pong', 1000, 5);

    expect(pongs).toEqual(['early']);
  });
});
