import { randomBytes } from 'node:crypto';
import net from 'node:net';

const HEADER_END = '\r\n\r\n';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
/** A client's empty ping: FIN + ping, the mask bit and a zero-length payload, then the 4-byte masking key. */
const MASKED_EMPTY_PING = Buffer.from([0x89, 0x80, 0, 0, 0, 0]);

/**
 * Opens a TCP socket to `port`, upgrades it to a WebSocket with `path`, and resolves with the socket once
 * the 101 arrived, with any bytes that came after it; rejects on a refusal or after `timeoutMs`.
 */
export function openRawWebSocket(port, path, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => fail(new Error(`upgrade timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(HEADER_END);
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      const status = received.toString('latin1', 0, received.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101 ')) return fail(new Error(`upgrade refused: ${status}`));
      socket.pause();
      resolve({ socket, rest: received.subarray(end + HEADER_END.length) });
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
  });
}

/** A client text frame (masked with a random key, as clients must). */
export function maskedTextFrame(text) {
  const payload = Buffer.from(text);
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + extra + 4 + length);
  frame[0] = 0x80 | OP_TEXT;
  if (extra === 0) frame[1] = 0x80 | length;
  else if (extra === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const key = randomBytes(4);
  key.copy(frame, 2 + extra);
  const at = 2 + extra + 4;
  for (let i = 0; i < length; i += 1) frame[at + i] = payload[i] ^ key[i & 3];
  return frame;
}

/** `count` masked empty pings back to back, to be written as one chunk. */
export function maskedPings(count) {
  return Buffer.concat(Array.from({ length: count }, () => MASKED_EMPTY_PING));
}

/**
 * Resumes reading a socket that was not read, discarding what it gets, until the server ends it, resets
 * it or sends a close frame, or `timeoutMs` passes. Resolves with how it ended: `{ closed, code, how }`.
 */
export function drainUntilClosed(socket, rest, timeoutMs) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve({ closed: true, how: 'reset' });
    /** A frame header (or close frame) cut by the end of a read. */
    let pending = rest;
    /** Payload bytes still to skip, of a frame that started in an earlier read. */
    let skip = 0;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ closed: false }), timeoutMs);
    socket.on('data', (chunk) => {
      const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      let at = Math.min(skip, data.length);
      skip -= at;
      while (at + 2 <= data.length) {
        let length = data[at + 1] & 0x7f;
        let header = 2;
        if (length === 126) {
          if (at + 4 > data.length) break;
          length = data.readUInt16BE(at + 2);
          header = 4;
        } else if (length === 127) {
          if (at + 10 > data.length) break;
          length = Number(data.readBigUInt64BE(at + 2));
          header = 10;
        }
        if ((data[at] & 0x0f) === OP_CLOSE) {
          if (at + header + Math.min(length, 2) > data.length) break;
          const code = length >= 2 ? data.readUInt16BE(at + header) : 1005;
          return finish({ closed: true, code, how: 'close frame' });
        }
        const end = at + header + length;
        if (end > data.length) {
          skip = end - data.length;
          at = data.length;
          break;
        }
        at = end;
      }
      if (at < data.length) pending = Buffer.from(data.subarray(at));
    });
    socket.once('end', () => finish({ closed: true, how: 'end' }));
    socket.once('error', () => finish({ closed: true, how: 'reset' }));
    socket.once('close', () => finish({ closed: true, how: 'close' }));
    socket.resume();
  });
}
