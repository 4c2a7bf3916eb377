import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { FrameKind } from './dialect.mjs';

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const HEADER_END = Buffer.from('\r\n\r\n');
/**
 * Every socket reads into this one buffer (`onread`), which skips the stream machinery and an allocation
 * per read: most of what a reader costs when the server writes one small frame per system call.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * @typedef {object} ProbeSink
 * @property {(text: string | undefined) => void} record called with each delivery's message text, on arrival
 */

/**
 * A WebSocket client on a raw TCP socket, as cheap as a client can be: it scans frame headers and counts
 * frames by kind from a peek at their first bytes, never decoding a payload unless it is a probe.
 * Its own frames are masked with a zero key (valid per RFC 6455, and free to apply).
 */
export class RawClient {
  deliveries = 0;
  acks = 0;
  joined = 0;
  errors = 0;
  other = 0;
  /** The close code the server sent, or -1 for a drop without one; undefined while open. */
  closeCode = undefined;
  /** First bytes of the first unexpected frame (an error or an unknown frame), for the report. */
  sample = undefined;
  ready = false;
  /** The room this client joined besides the default one, if any. */
  room = undefined;

  /**
   * @param {{ port: number, dialect: import('./dialect.mjs').Dialect, name: string, probe?: ProbeSink }} options
   */
  constructor({ port, dialect, name, probe }) {
    this.port = port;
    this.dialect = dialect;
    this.name = name;
    this.probe = probe;
    /** @type {net.Socket | undefined} */
    this.socket = undefined;
    /** @type {Buffer | undefined} */
    this.rest = undefined;
    this.upgraded = false;
  }

  /** Opens the socket and completes the handshake (the dialect's too); rejects after `timeoutMs`. */
  connect(timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: '127.0.0.1',
        port: this.port,
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (length, buffer) => {
            try {
              this.receive(buffer.subarray(0, length));
            } catch (error) {
              fail(error);
            }
          },
        },
      });
      this.socket = socket;
      const timer = setTimeout(
        () => fail(new Error(`connect timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      this.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET ${this.dialect.path(this.name)} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n` +
            `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
            'Sec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      socket.on('error', (error) => {
        if (!this.ready) fail(error);
      });
      socket.on('close', () => {
        if (this.closeCode === undefined) this.closeCode = -1;
        if (!this.ready) fail(new Error('socket closed during the handshake'));
      });
    });
  }

  /** Sends one text frame. */
  sendText(text) {
    this.sendFrame(OP_TEXT, Buffer.from(text));
  }

  /** True while the socket is open and past its handshake. */
  get isOpen() {
    return this.ready && this.closeCode === undefined;
  }

  /** Zeroes the frame counters. */
  resetCounts() {
    this.deliveries = this.acks = this.joined = this.errors = this.other = 0;
  }

  /** Drops the connection without a closing handshake. */
  destroy() {
    this.socket?.destroy();
  }

  sendFrame(opcode, payload) {
    const length = payload.length;
    let header;
    if (length < 126) {
      header = Buffer.alloc(6);
      header[1] = 0x80 | length;
    } else if (length < 65536) {
      header = Buffer.alloc(8);
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      throw new Error('frame too large for the load generator');
    }
    header[0] = 0x80 | opcode;
    this.socket.write(Buffer.concat([header, payload]));
  }

  receive(chunk) {
    let buffer = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let at = 0;
    if (!this.upgraded) {
      const headerEnd = buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        this.rest = Buffer.from(buffer);
        return;
      }
      const status = buffer.toString('latin1', 0, buffer.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101 ')) throw new Error(`upgrade refused: ${status}`);
      this.upgraded = true;
      if (this.dialect.readyOnUpgrade) this.becomeReady();
      at = headerEnd + HEADER_END.length;
    }
    const length = buffer.length;
    while (at + 2 <= length) {
      const second = buffer[at + 1];
      let payloadLength = second & 0x7f;
      let headerLength = 2;
      if (payloadLength === 126) {
        if (at + 4 > length) break;
        payloadLength = buffer.readUInt16BE(at + 2);
        headerLength = 4;
      } else if (payloadLength === 127) {
        if (at + 10 > length) break;
        payloadLength = buffer.readUInt32BE(at + 6);
        headerLength = 10;
      }
      const start = at + headerLength;
      const end = start + payloadLength;
      if (end > length) break;
      this.frame(buffer[at] & 0x0f, buffer, start, end);
      at = end;
    }
    // A copy: the read buffer is overwritten by the next read of any socket.
    if (at < length) this.rest = Buffer.from(buffer.subarray(at));
  }

  frame(opcode, buffer, start, end) {
    if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      switch (this.dialect.classify(buffer, start, end)) {
        case FrameKind.Delivery:
          this.deliveries += 1;
          if (this.probe)
            this.probe.record(this.dialect.textOf(buffer.toString('utf8', start, end)));
          return;
        case FrameKind.Ack:
          this.acks += 1;
          return;
        case FrameKind.Joined:
          this.joined += 1;
          return;
        case FrameKind.Error:
          this.errors += 1;
          this.sample ??= buffer.toString('utf8', start, Math.min(end, start + 160));
          return;
        default:
          this.control(buffer, start, end);
      }
    } else if (opcode === OP_PING) {
      this.sendFrame(0xa, buffer.subarray(start, end));
    } else if (opcode === OP_CLOSE) {
      this.closeCode = end - start >= 2 ? buffer.readUInt16BE(start) : 1005;
      this.socket.destroy();
    }
  }

  control(buffer, start, end) {
    const reply = this.dialect.reply(buffer, start, end);
    if (reply !== undefined) this.sendText(reply);
    else if (!this.ready && this.dialect.isReady(buffer, start, end)) this.becomeReady();
    else {
      this.other += 1;
      this.sample ??= buffer.toString('utf8', start, Math.min(end, start + 160));
    }
  }

  becomeReady() {
    this.ready = true;
    this.onReady?.();
  }
}
