/**
 * How the load generator speaks to each kind of server: the upgrade path, the frames it sends, and how
 * it tells a delivery from an ack or a control frame by peeking at a few payload bytes (never parsing).
 */

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
/** Byte offset of the event name's first letter in `{"event":"…`. */
const ENVELOPE_EVENT_AT = 10;
/** Byte offset of the event name's first letter in Socket.IO's `42["…`. */
const SOCKET_IO_EVENT_AT = 4;

/** What a received frame is, as far as the load generator counts. */
export const FrameKind = Object.freeze({
  Delivery: 0,
  Ack: 1,
  Joined: 2,
  Error: 3,
  Other: 4,
});

/**
 * @typedef {object} Dialect
 * @property {string} name
 * @property {(name: string) => string} path the upgrade request's path and query
 * @property {(payload: Buffer, start: number, end: number) => number} classify a FrameKind
 * @property {(room: string, text: string) => string} message a room message
 * @property {(text: string) => string} plain a seed-style plain-text message to the default room
 * @property {(room: string) => string} join a join request
 * @property {(payload: Buffer, start: number, end: number) => string | undefined} reply
 *   the frame to answer a control frame with (Socket.IO's handshake and pings), if any
 * @property {(payload: Buffer, start: number, end: number) => boolean} isReady
 *   whether this frame completes the handshake (Socket.IO's namespace connect)
 * @property {boolean} readyOnUpgrade the socket can send as soon as the upgrade completes
 * @property {(payload: string) => string | undefined} textOf a delivery's message text (probes only)
 */

/** Switchboard's envelopes, which the bare relays speak too: `{"event":"…","data":{…}}` or plain text. */
const envelopeDialect = {
  name: 'envelope',
  path: (name) => `/?name=${encodeURIComponent(name)}`,
  classify(payload, start, end) {
    if (end - start <= ENVELOPE_EVENT_AT || payload[start] !== OPEN_BRACE) return FrameKind.Other;
    switch (payload[start + ENVELOPE_EVENT_AT]) {
      case 0x6d: // m: message
        return FrameKind.Delivery;
      case 0x61: // a: ack
        return FrameKind.Ack;
      case 0x6a: // j: joined
        return FrameKind.Joined;
      case 0x65: // e: error
        return FrameKind.Error;
      default:
        return FrameKind.Other;
    }
  },
  message: (room, text) => JSON.stringify({ event: 'message', data: { room, text } }),
  plain: (text) => text,
  join: (room) => JSON.stringify({ event: 'join', data: { room } }),
  reply: () => undefined,
  isReady: () => false,
  readyOnUpgrade: true,
  textOf(payload) {
    const frame = JSON.parse(payload);
    return frame.event === 'message' ? frame.data.text : undefined;
  },
};

/** Socket.IO 4 over its websocket transport (Engine.IO protocol 4), spoken by hand. */
const socketIoDialect = {
  name: 'socket.io',
  path: () => '/socket.io/?EIO=4&transport=websocket',
  classify(payload, start, end) {
    // 42["message",…]: an event packet on the main namespace.
    if (end - start <= SOCKET_IO_EVENT_AT || payload[start] !== 0x34 || payload[start + 1] !== 0x32)
      return FrameKind.Other;
    if (payload[start + 3] !== QUOTE) return FrameKind.Other;
    switch (payload[start + SOCKET_IO_EVENT_AT]) {
      case 0x6d:
        return FrameKind.Delivery;
      case 0x6a:
        return FrameKind.Joined;
      default:
        return FrameKind.Other;
    }
  },
  message: (room, text) => `42${JSON.stringify(['message', { room, text }])}`,
  plain: (text) => `42${JSON.stringify(['message', text])}`,
  join: (room) => `42${JSON.stringify(['join', { room }])}`,
  reply(payload, start, end) {
    if (end - start === 1 && payload[start] === 0x32) return '3'; // Engine.IO ping → pong
    if (payload[start] === 0x30) return '40'; // Engine.IO open → connect to the main namespace
    return undefined;
  },
  isReady: (payload, start, end) =>
    end - start >= 2 && payload[start] === 0x34 && payload[start + 1] === 0x30,
  readyOnUpgrade: false,
  textOf(payload) {
    const [event, data] = JSON.parse(payload.slice(2));
    return event === 'message' ? data.text : undefined;
  },
};

/** The dialect by name. */
export function dialectNamed(name) {
  if (name === envelopeDialect.name) return envelopeDialect;
  if (name === socketIoDialect.name) return socketIoDialect;
  throw new Error(`unknown dialect ${name}`);
}
