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

/**
 * Frames a text payload straight from its string, header and UTF-8 bytes in one buffer (unmasked, as a
 * server sends): the bytes `prepareFrame(Buffer.from(text)).wire` holds, without the payload buffer, the
 * separate header and the copy that joins them.
 */
export function frameText(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const wire = Buffer.allocUnsafe(header + length);
  // FIN and opcode 1 (text); no mask bit, then the length in 7, 7+16 or 7+64 bits.
  wire[0] = 0x81;
  if (header === 2) wire[1] = length;
  else if (header === 4) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
  wire.write(text, header, 'utf8');
  return wire;
}

/** Consecutive frames of one room, also joined into one buffer: a socket that gets them all gets one write. */
export interface FrameRun {
  frames: PreparedFrame[];
  /** Message ids of the frames (undefined for presence and typing). */
  ids: Array<string | undefined>;
  /** Every frame's wire bytes, in order, in one buffer. */
  wire: Buffer;
}

/** Joins frames into a run, concatenated once for all the sockets that take the whole run. */
export function prepareRun(frames: PreparedFrame[], ids: Array<string | undefined>): FrameRun {
  return { frames, ids, wire: Buffer.concat(frames.map((frame) => frame.wire)) };
}
