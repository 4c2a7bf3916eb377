import { Sender, WebSocket } from 'ws';

const FRAME_OPTIONS = { fin: true, rsv1: false, opcode: 0x1, mask: false, readOnly: false };

/**
 * The practical limit of fan-out on `ws`: a payload is framed once and the same Buffer is queued for
 * every recipient; at the end of the event-loop turn each socket gets everything queued for it in one
 * corked write (one `writev`), however many messages the turn relayed.
 */
export function corkedWriter() {
  /** @type {import('./relay-hub.mjs').Member[]} */
  let dirty = [];
  const flush = () => {
    const members = dirty;
    dirty = [];
    for (const member of members) {
      const frames = member.pending;
      member.pending = undefined;
      // ws keeps the TCP socket in `_socket`; writing framed bytes to it is what `send` does underneath.
      const socket = member.socket._socket;
      if (member.socket.readyState !== WebSocket.OPEN || !socket) continue;
      if (frames.length === 1) {
        socket.write(frames[0]);
        continue;
      }
      socket.cork();
      for (const frame of frames) socket.write(frame);
      socket.uncork();
    }
  };
  const queue = (member, frame) => {
    if (member.pending) member.pending.push(frame);
    else {
      member.pending = [frame];
      if (dirty.push(member) === 1) setImmediate(flush);
    }
  };
  return {
    /** Queues one shared frame for every member but the excluded connection. */
    broadcast(members, exclude, payload) {
      const frame = Buffer.concat(Sender.frame(payload, FRAME_OPTIONS));
      for (const member of members) if (member.id !== exclude) queue(member, frame);
    },
    /** Queues one frame for one member, written with its other frames of the turn. */
    send(member, payload) {
      queue(member, Buffer.concat(Sender.frame(payload, FRAME_OPTIONS)));
    },
  };
}
