/**
 * Entry point of the leanest `ws` relay (env: PORT): the memory and connection-cost baseline of issue 12.
 * Per socket it keeps only `{ user: { id, name }, rooms: Set }` (the user from `?uid=` and `?name=` as
 * Switchboard's dev identity reads them, else a fresh `u-<hex>` id), plus its place in a room → sockets
 * map; every socket is in `lobby`. It speaks the relays' protocol (relay-hub.mjs): `join` answered with
 * `joined`, a message (envelope, or plain text for `lobby`) relayed to the room's other sockets as a
 * Switchboard-shaped `message`, framed once and written corked, one write per socket per event-loop turn.
 * Pings are answered by `ws` itself. One listener of each kind is shared by every socket (no closure per
 * socket), so that what is measured is the state above and `ws`'s own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Sender, WebSocket, WebSocketServer } from 'ws';

const DEFAULT_ROOM = 'lobby';
const OPEN_BRACE = 0x7b;
const FRAME_OPTIONS = { fin: true, rsv1: false, opcode: 0x1, mask: false, readOnly: false };
/** Where each socket's `{ user, rooms }` lives: a property of its own, so no map entry per socket. */
const STATE = Symbol('state');

const nodeId = randomBytes(4).toString('hex');
let sequence = 0;
/** @type {Map<string, Set<WebSocket>>} */
const rooms = new Map([[DEFAULT_ROOM, new Set()]]);
/** Frames owed to each socket this turn; empty between turns. @type {Map<WebSocket, Buffer[]>} */
const pending = new Map();

const frame = (json) => Buffer.concat(Sender.frame(Buffer.from(json), FRAME_OPTIONS));

function flush() {
  for (const [socket, frames] of pending) {
    // ws keeps the TCP socket in `_socket`; writing framed bytes to it is what `send` does underneath.
    const tcp = socket._socket;
    if (socket.readyState !== WebSocket.OPEN || !tcp) continue;
    if (frames.length === 1) {
      tcp.write(frames[0]);
      continue;
    }
    tcp.cork();
    for (const bytes of frames) tcp.write(bytes);
    tcp.uncork();
  }
  pending.clear();
}

function queue(socket, bytes) {
  const frames = pending.get(socket);
  if (frames) frames.push(bytes);
  else {
    if (pending.size === 0) setImmediate(flush);
    pending.set(socket, [bytes]);
  }
}

function enter(socket, room) {
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(socket);
  socket[STATE].rooms.add(room);
}

function relay(sender, room, text) {
  const state = sender[STATE];
  if (!state.rooms.has(room) || typeof text !== 'string') return;
  const members = rooms.get(room);
  if (members.size <= 1) return;
  const bytes = frame(
    JSON.stringify({
      event: 'message',
      data: {
        id: `${nodeId}-${(sequence += 1).toString().padStart(12, '0')}`,
        room,
        from: state.user,
        text,
        ts: Date.now(),
      },
    }),
  );
  for (const member of members) if (member !== sender) queue(member, bytes);
}

/** Shared by every socket: `this` is the socket. */
function onMessage(raw) {
  let start = 0;
  while (start < raw.length && raw[start] <= 0x20) start += 1;
  if (raw[start] !== OPEN_BRACE) return relay(this, DEFAULT_ROOM, raw.toString('utf8'));
  let envelope;
  try {
    envelope = JSON.parse(raw.toString('utf8'));
  } catch {
    return;
  }
  const { event, data } = envelope ?? {};
  if (typeof data?.room !== 'string') return;
  if (event === 'message') return relay(this, data.room, data.text);
  if (event === 'join') {
    enter(this, data.room);
    queue(this, frame(JSON.stringify({ event: 'joined', data: { room: data.room } })));
  }
}

/** Shared by every socket: `this` is the socket. */
function onClose() {
  pending.delete(this);
  for (const room of this[STATE].rooms) {
    const members = rooms.get(room);
    members.delete(this);
    if (members.size === 0 && room !== DEFAULT_ROOM) rooms.delete(room);
  }
}

function ignore() {}

/** As Switchboard's dev identity draws them: from randomUUID's cached pool, no system call per socket. */
function randomHex16() {
  const uuid = randomUUID();
  return uuid.slice(19, 23) + uuid.slice(24);
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT),
  perMessageDeflate: false,
});
server.on('connection', (socket, request) => {
  const query = new URL(request.url ?? '/', 'ws://localhost').searchParams;
  socket[STATE] = {
    user: {
      id: query.get('uid') ?? `u-${randomHex16()}`,
      name: query.get('name') ?? `guest-${randomHex16().slice(-4)}`,
    },
    rooms: new Set(),
  };
  enter(socket, DEFAULT_ROOM);
  socket.on('message', onMessage);
  socket.on('close', onClose);
  socket.on('error', ignore);
});
