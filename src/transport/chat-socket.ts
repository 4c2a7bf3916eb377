import { WebSocket } from 'ws';

/** What a socket knows of the connection opened on it: enough to count a pong. */
export interface SocketOwner {
  missedPongs: number;
}

/**
 * ws's `WebSocket` as the adapter's servers create it (their `WebSocket` option). It holds the connection
 * opened on it, so that finding the connection of a socket needs no WeakMap entry per socket (an ephemeron,
 * which also costs the collector), and a pong resets the missed heartbeats here, in `emit`, instead of in
 * a 'pong' listener: Node keeps a socket's listeners in a table that holds three event names ('message',
 * 'close', 'error'); a fourth doubles it, about 96 bytes more for every idle socket.
 */
export class ChatSocket extends WebSocket {
  /** Set by the connection opened on this socket. */
  owner: SocketOwner | undefined = undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'pong' && this.owner) this.owner.missedPongs = 0;
    return super.emit(event, ...args);
  }
}
