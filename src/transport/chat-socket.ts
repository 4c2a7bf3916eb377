import { WebSocket } from 'ws';
import { findConnection } from './chat-connection.js';

/**
 * ws's `WebSocket` as the adapter's servers create it (their `WebSocket` option): a pong resets its
 * connection's missed heartbeats here, in `emit`, instead of in a 'pong' listener. Node keeps a socket's
 * listeners in a table that holds three event names ('message', 'close', 'error'); a fourth doubles it,
 * about 96 bytes more for every idle socket.
 */
export class ChatSocket extends WebSocket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'pong') {
      const connection = findConnection(this);
      if (connection) connection.missedPongs = 0;
    }
    return super.emit(event, ...args);
  }
}
