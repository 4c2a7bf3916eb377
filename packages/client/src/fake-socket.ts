import type { WebSocketLike } from './socket.js';

/** One frame the client sent. */
export interface SentFrame {
  event: string;
  data: Record<string, any>;
}

/** A WebSocket the unit specs drive by hand: open it, feed it frames, drop or refuse it. */
export class FakeSocket implements WebSocketLike {
  /** Every socket created, oldest first. */
  static created: FakeSocket[] = [];
  readyState = 0;
  protocol = '';
  readonly sent: SentFrame[] = [];
  closedWith: number | undefined;
  private readonly listeners = new Map<string, Array<(event: any) => void>>();

  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    FakeSocket.created.push(this);
  }

  /** The socket created last. */
  static get last(): FakeSocket {
    const socket = FakeSocket.created.at(-1);
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  addEventListener(type: string, listener: (event: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as SentFrame);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  /** The handshake succeeded. */
  open(): void {
    this.readyState = 1;
    this.protocol = 'switchboard';
    this.fire('open', {});
  }

  /** A frame from the server. */
  receive(event: string, data: Record<string, unknown>): void {
    this.fire('message', { data: JSON.stringify({ event, data }) });
  }

  /** Answers the last request of `event` sent (with its `ref`). */
  reply(toEvent: string, event: string, data: Record<string, unknown>): void {
    const request = this.sent.findLast((frame) => frame.event === toEvent);
    if (!request) throw new Error(`no ${toEvent} was sent`);
    this.receive(event, { ...data, ref: request.data.ref });
  }

  /** Sent frames of `event`. */
  sentOf(event: string): Array<Record<string, any>> {
    return this.sent.filter((frame) => frame.event === event).map((frame) => frame.data);
  }

  /** The connection ends with this close code. */
  drop(code: number): void {
    this.readyState = 3;
    this.fire('close', { code, reason: '' });
  }

  /** The handshake is refused with this HTTP status, as `ws` reports it. */
  refuse(status: number): void {
    this.fire('error', { message: `Unexpected server response: ${status}` });
    this.drop(1006);
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}
