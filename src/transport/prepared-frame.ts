import type { Duplex } from 'node:stream';
import * as ws from 'ws';

/** ws's frame encoder: exported by ws, missing from @types/ws. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** A text frame serialized once, header included, ready to be written as is to any number of sockets. */
export interface PreparedFrame {
  /** The JSON payload, for sockets that need ws to frame it (permessage-deflate). */
  payload: Buffer;
  /** Header and payload in one buffer: one write per socket. */
  wire: Buffer;
}

/** Frames a JSON text payload once (unmasked, as a server sends). */
export function prepareFrame(payload: Buffer): PreparedFrame {
  const parts = Sender.frame(payload, {
    fin: true,
    rsv1: false,
    opcode: 1,
    mask: false,
    readOnly: false,
  });
  return { payload, wire: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

const corked: Duplex[] = [];

/**
 * Corks a socket until the end of this event-loop turn, so that everything written to it in the turn
 * leaves in one system call: the write call, not the bytes, is the cost of a delivery.
 */
export function corkUntilTurnEnds(socket: Duplex): void {
  if (corked.length === 0) setImmediate(uncorkAll);
  socket.cork();
  corked.push(socket);
}

function uncorkAll(): void {
  for (const socket of corked.splice(0)) socket.uncork();
}
