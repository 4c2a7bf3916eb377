/**
 * The part of the WHATWG WebSocket the SDK uses: the browser's own, or `ws`'s in Node (both fit without a
 * wrapper). Only `addEventListener` is used, so a socket's handlers are never replaced.
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: any) => void,
  ): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/** WebSocket.OPEN, the same for every implementation. */
export const OPEN = 1;
