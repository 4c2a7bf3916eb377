import { connect } from 'node:net';

/** What came back on a raw TCP connection, and whether the server closed it. */
export interface RawExchange {
  /** Everything the server wrote, as latin1 text. */
  response: string;
  /** Milliseconds from connecting until the server closed the connection; undefined if it kept it open. */
  closedAfterMs?: number;
}

/**
 * A WebSocket upgrade request for `target`, as raw HTTP text, in `version` (`1.1` unless told), with
 * `headers` added.
 */
export function upgradeRequest(
  target: string,
  version = '1.1',
  headers: Record<string, string> = {},
): string {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `GET ${target} HTTP/${version}\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

/**
 * Writes `text` as is on a fresh TCP connection, for requests no HTTP client would send, and resolves
 * once the server closes it, or after `waitMs` (then this side hangs up).
 */
export function rawExchange(port: number, text: string, waitMs = 3000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(text, 'latin1'));
    const chunks: Buffer[] = [];
    const response = () => Buffer.concat(chunks).toString('latin1');
    const timer = setTimeout(() => {
      socket.removeAllListeners('close');
      socket.destroy();
      resolve({ response: response() });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ response: response(), closedAfterMs: Date.now() - startedAt });
    });
  });
}
