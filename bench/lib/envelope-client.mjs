import { WebSocket } from 'ws';

/**
 * A request/reply client of Switchboard for scenarios that time requests, not fan-out: one `ws` socket
 * in the bench's process, each request carrying a `ref` and resolved with the frame that answers it.
 */
export class EnvelopeClient {
  /** @param {WebSocket} socket */
  constructor(socket) {
    this.socket = socket;
    this.nextRef = 0;
    /** @type {Map<string, (frame: { event: string, data: any }) => void>} */
    this.waiting = new Map();
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString('utf8'));
      const ref = frame.data?.ref;
      const resolve = ref === undefined ? undefined : this.waiting.get(ref);
      if (!resolve) return;
      this.waiting.delete(ref);
      resolve(frame);
    });
    socket.once('close', () => {
      for (const resolve of this.waiting.values())
        resolve({ event: 'closed', data: { message: 'socket closed' } });
      this.waiting.clear();
    });
  }

  /** Connects as dev user `name` to the server on `port` of 127.0.0.1. */
  static open(port, name, timeoutMs = 10_000) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/?name=${encodeURIComponent(name)}`, {
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new EnvelopeClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Sends `{event, data}` with a fresh `ref` and resolves with the reply carrying it (`error` frames
   * included); rejects after `timeoutMs`.
   */
  request(event, data, timeoutMs = 10_000) {
    const ref = `r${(this.nextRef += 1)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(ref);
        reject(new Error(`no reply to ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(ref, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.socket.send(JSON.stringify({ event, data: { ...data, ref } }));
    });
  }

  /** Closes the socket. */
  close() {
    this.socket.terminate();
  }
}
