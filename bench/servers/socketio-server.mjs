/**
 * Entry point of the Socket.IO 4 baseline (env: PORT, REDIS_URL, REDIS_KEY_PREFIX): the same relay as
 * relay-hub.mjs in Socket.IO's idiom: every socket in `lobby`, `join` answered with `joined`, `message`
 * (an object {room, text}, or a plain string for `lobby`) broadcast to the room's other sockets with
 * `socket.to(room).emit`. With REDIS_URL, through @socket.io/redis-adapter.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const DEFAULT_ROOM = 'lobby';
const nodeId = randomBytes(4).toString('hex');
let sequence = 0;

const http = createServer();
const io = new Server(http, {
  serveClient: false,
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
});
if (process.env.REDIS_URL) {
  const publisher = createClient({ url: process.env.REDIS_URL });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  io.adapter(createAdapter(publisher, subscriber, { key: `${process.env.REDIS_KEY_PREFIX}sio` }));
}
io.on('connection', (socket) => {
  const name = String(socket.handshake.query.name ?? 'guest');
  const user = { id: `u-${randomBytes(8).toString('hex')}`, name };
  socket.join(DEFAULT_ROOM);
  socket.on('join', (data) => {
    if (typeof data?.room !== 'string') return;
    socket.join(data.room);
    socket.emit('joined', { room: data.room });
  });
  socket.on('message', (data) => {
    const room = typeof data === 'string' ? DEFAULT_ROOM : data?.room;
    const text = typeof data === 'string' ? data : data?.text;
    if (typeof room !== 'string' || typeof text !== 'string' || !socket.rooms.has(room)) return;
    socket.to(room).emit('message', {
      id: `${nodeId}-${(sequence += 1).toString().padStart(12, '0')}`,
      room,
      from: user,
      text,
      ts: Date.now(),
    });
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1');
