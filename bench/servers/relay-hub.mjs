import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { WebSocketServer } from 'ws';

const DEFAULT_ROOM = 'lobby';
const OPEN_BRACE = 0x7b;

/**
 * @typedef {object} Member
 * @property {import('ws').WebSocket} socket
 * @property {string} id connection id, unique across nodes
 * @property {{ id: string, name: string }} user
 * @property {Set<string>} rooms
 * @property {Buffer[] | undefined} pending frames a corked writer holds until the end of the turn
 */

/**
 * @typedef {object} Writer
 * @property {(members: Iterable<Member>, exclude: string | undefined, payload: Buffer) => void} broadcast
 * @property {(member: Member, payload: Buffer) => void} [send] one frame to one member, with its other frames
 */

/**
 * A bare relay on `ws`, the baseline Switchboard is measured against: every socket is in `lobby`;
 * `{"event":"join","data":{"room"}}` joins a room (answered with `joined`); a message, as an envelope or
 * as plain text for `lobby`, goes to every other socket in its room as a Switchboard-shaped `message`
 * envelope (id, room, from, text, ts), serialized once. With `redisUrl`, messages go through one Redis
 * pub/sub channel per room, so that several relays act as one. The writer decides how frames are written.
 * With `ack`, each message is also answered to its sender with an `ack` envelope shaped like Switchboard's
 * (`{id, room, ts}`, and `ref` when the request had one), as the contract requires of Switchboard.
 * @param {{ port: number, writer: Writer, redisUrl?: string, prefix?: string, ack?: boolean }} options
 */
export async function startRelay({ port, writer, redisUrl, prefix = 'bench:', ack = false }) {
  const nodeId = randomBytes(4).toString('hex');
  let sequence = 0;
  let connections = 0;
  /** @type {Map<string, Set<Member>>} */
  const rooms = new Map();
  let publisher;
  let subscriber;
  const channel = (room) => `${prefix}relay:${room}`;

  const fanOut = (room, exclude, payload) => {
    const members = rooms.get(room);
    if (members) writer.broadcast(members, exclude, payload);
  };

  const watch = async (room) => {
    if (!subscriber) return;
    await subscriber.subscribe(channel(room), (message) => {
      const split = message.indexOf('\n');
      fanOut(room, message.slice(0, split), Buffer.from(message.slice(split + 1)));
    });
  };

  const enter = async (member, room) => {
    let members = rooms.get(room);
    if (!members) {
      rooms.set(room, (members = new Set()));
      await watch(room);
    }
    members.add(member);
    member.rooms.add(room);
  };

  const relay = (member, room, text, ref) => {
    if (!member.rooms.has(room) || typeof text !== 'string') return;
    const id = `${nodeId}-${(sequence += 1).toString().padStart(12, '0')}`;
    const ts = Date.now();
    if (ack) {
      writer.send(
        member,
        Buffer.from(JSON.stringify({ event: 'ack', data: { id, room, ts, ref } })),
      );
    }
    // Alone in the room on the only node: nobody to serialize for.
    if (!publisher && rooms.get(room).size <= 1) return;
    const json = JSON.stringify({
      event: 'message',
      data: { id, room, from: member.user, text, ts },
    });
    if (publisher) void publisher.publish(channel(room), `${member.id}\n${json}`);
    else fanOut(room, member.id, Buffer.from(json));
  };

  const receive = async (member, raw) => {
    let start = 0;
    while (start < raw.length && raw[start] <= 0x20) start += 1;
    if (raw[start] !== OPEN_BRACE) return relay(member, DEFAULT_ROOM, raw.toString('utf8'));
    const { event, data } = JSON.parse(raw.toString('utf8'));
    if (event === 'message') return relay(member, data.room, data.text, data.ref);
    if (event === 'join') {
      await enter(member, data.room);
      member.socket.send(JSON.stringify({ event: 'joined', data: { room: data.room } }));
    }
  };

  if (redisUrl) {
    publisher = createClient({ url: redisUrl });
    subscriber = publisher.duplicate();
    await Promise.all([publisher.connect(), subscriber.connect()]);
  }
  const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  server.on('connection', (socket, request) => {
    const name = new URL(request.url ?? '/', 'ws://localhost').searchParams.get('name') ?? 'guest';
    /** @type {Member} */
    const member = {
      socket,
      id: `${nodeId}.${(connections += 1).toString(36)}`,
      user: { id: `u-${randomBytes(8).toString('hex')}`, name },
      rooms: new Set(),
      pending: undefined,
    };
    void enter(member, DEFAULT_ROOM);
    socket.on('message', (raw) =>
      receive(member, raw).catch((error) => console.error(`relay: ${error.stack}`)),
    );
    socket.on('close', () => {
      for (const room of member.rooms) rooms.get(room)?.delete(member);
    });
    socket.on('error', () => undefined);
  });
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}
