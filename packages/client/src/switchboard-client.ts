import { ChatErrorCode } from '../../../src/protocol/chat-error-code.js';
import type {
  ChatMessage,
  ClientEvents,
  ClientReplies,
  ServerEvents,
} from '../../../src/protocol/chat.events.js';
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from '../../../src/protocol/subprotocol.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import {
  closeReason,
  refusalReason,
  refusedStatus,
  type DisconnectReason,
  type ReconnectRule,
} from './close-reason.js';
import { Emitter } from './emitter.js';
import { Heartbeat, heartbeatTimings, type HeartbeatOptions } from './heartbeat.js';
import { Outbox, type OutboxSend } from './outbox.js';
import { RoomSubscription } from './room-subscription.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';
import { SwitchboardError } from './switchboard-error.js';

/** Where the connection stands; every change is emitted as `state`. */
export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected' }
  | {
      status: 'disconnected';
      reason: DisconnectReason;
      /** The close code (1006 for a refused handshake or a dropped connection). */
      code: number;
      /** The HTTP status of a refused handshake, when known (Node with `ws`). */
      httpStatus?: number;
      /** When the next attempt starts; absent while the browser is offline (its `online` event reconnects). */
      retryInMs?: number;
    }
  | { status: 'closed'; reason: DisconnectReason; code: number; httpStatus?: number };

/** How to connect. */
export interface SwitchboardClientOptions {
  /** The server's WebSocket URL, such as `wss://chat.example.com/`. */
  url: string;
  /** The WebSocket implementation: `globalThis.WebSocket` unless given (in Node, `WebSocket` from `ws`). */
  WebSocket?: WebSocketConstructor;
  /**
   * The access token, asked for before every connection attempt (so a 4001 reconnects with a fresh one).
   * It travels in `Sec-WebSocket-Protocol`, never in the URL. Leave out in dev mode.
   */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /**
   * Query parameters of the URL, such as dev mode's `name` and `uid`, or a function asked for them before
   * every connection attempt (a user who renames themselves, then `reconnect()`). Never put a token here.
   */
  query?: Record<string, string> | (() => Record<string, string>);
  /** How long a request waits for its reply (default 10000 ms). */
  requestTimeoutMs?: number;
  /** Reconnect delays (full jitter, exponential). */
  backoff?: BackoffOptions;
  /**
   * Attempts in a row that fail before the socket opens, with no HTTP status to tell why, after which the
   * client stops (`closed`, reason `unreachable`). In a browser a refused handshake (401, 403) looks like any
   * failed attempt (1006 before open), so this is how it ends there (default 10 in a browser, no limit in
   * Node, where `ws` reports the status and 401/403 stop at once).
   */
  maxFailuresBeforeOpen?: number;
  /** A connection that stayed open this long resets the backoff (default 5000 ms). */
  minUptimeMs?: number;
  /** Reconnect at once when the browser goes back online or the page becomes visible (default true where there is a window). */
  browserHooks?: boolean;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * While connected, sends `ping` after `intervalMs` (default 25000) with no frame from the server, and
   * drops the connection (`disconnected`, reason `heartbeat_timeout`, then the usual reconnect) when
   * nothing at all arrives within `timeoutMs` (default 10000) after it. `false` turns it off.
   */
  heartbeat?: HeartbeatOptions | false;
}

/** Every server event, and the connection's `state`. */
export type ClientEventMap = { [E in keyof ServerEvents]: ServerEvents[E] } & {
  state: ConnectionState;
};

/** Options of one request. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs`; the wait for a connection counts. */
  timeoutMs?: number;
}

interface Pending {
  resolve: (data: any) => void;
  /** Runs as the reply is read, before any later frame (a promise's continuation would run after them). */
  onReply?: (data: any) => void;
  reject: (error: SwitchboardError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface BrowserGlobals {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  document?: { visibilityState?: string };
  navigator?: { onLine?: boolean };
}

const ROOM_EVENTS = new Set(['presence', 'typing', 'edited', 'deleted', 'moderation']);

/**
 * A Switchboard connection that stays up: it reconnects by the close code's rule, rejoins its rooms with
 * `since`, and delivers every send exactly once and in order through its outbox. Typed by the server's
 * protocol layer.
 */
export class SwitchboardClient extends Emitter<ClientEventMap> {
  private current: ConnectionState = { status: 'idle' };
  private socket: WebSocketLike | undefined;
  /** Bumped per connection attempt: replies and timers of an older one are ignored. */
  private generation = 0;
  private attempt = 0;
  private failuresBeforeOpen = 0;
  private tokenRetries = 0;
  private openedAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private refs = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly subscriptions = new Map<string, RoomSubscription>();
  private readonly outbox: Outbox;
  private readonly sessionId: string;
  private sends = 0;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly browser: BrowserGlobals | undefined;
  private readonly requestTimeoutMs: number;
  private readonly maxFailuresBeforeOpen: number;
  private readonly random: () => number;
  private readonly heartbeat: Heartbeat | undefined;
  private readonly wake = () => this.reconnectNow();
  private readonly wentOffline = () => this.drop();

  constructor(private readonly options: SwitchboardClientOptions) {
    super();
    const impl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!impl) throw new TypeError('no WebSocket implementation: pass options.WebSocket');
    this.WebSocketImpl = impl;
    // A malformed URL throws here, where the app can see it, not inside a reconnect.
    this.socketUrl();
    const g = globalThis as unknown as Partial<BrowserGlobals>;
    const inBrowser = typeof g.addEventListener === 'function' && g.document !== undefined;
    this.browser = inBrowser && options.browserHooks !== false ? (g as BrowserGlobals) : undefined;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxFailuresBeforeOpen =
      options.maxFailuresBeforeOpen ?? (inBrowser ? 10 : Number.POSITIVE_INFINITY);
    this.random = options.random ?? Math.random;
    const timings = heartbeatTimings(options.heartbeat);
    this.heartbeat =
      timings &&
      new Heartbeat(timings, {
        // A ping that gets no reply is the heartbeat's to judge, not the request's.
        ping: () => void this.requestNow('ping', {}, timings.timeoutMs).catch(() => undefined),
        dead: () => this.drop('heartbeat_timeout'),
      });
    this.sessionId = randomId();
    this.outbox = new Outbox({
      ready: (key) => this.ready(key),
      transmit: (send) => this.requestNow(send.event, send.data, this.requestTimeoutMs),
      acked: (key, ack) => {
        if (key.startsWith('room:')) this.subscriptions.get(key.slice(5))?.acked(ack.id);
      },
      rejoin: (key) => {
        const room = key.startsWith('room:') ? this.subscriptions.get(key.slice(5)) : undefined;
        if (!room || room.state === 'left' || room.state === 'failed') return false;
        void this.rejoin(room, this.generation);
        return true;
      },
      retryDelay: (attempt) =>
        backoffDelay(attempt, { initialMs: 250, maxMs: 10_000 }, this.random),
    });
  }

  /** Where the connection stands. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The rooms this client has joined (and keeps rejoining), by name. */
  get rooms(): ReadonlyMap<string, RoomSubscription> {
    return this.subscriptions;
  }

  /** Sends waiting in the outbox for their ack. */
  get unacked(): number {
    return this.outbox.size;
  }

  /** Starts connecting (again, after `close()` or a close for good); no-op while it is up or retrying. */
  connect(): void {
    if (this.current.status !== 'idle' && this.current.status !== 'closed') return;
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    this.browser?.addEventListener('online', this.wake);
    this.browser?.addEventListener('offline', this.wentOffline);
    this.browser?.addEventListener('visibilitychange', this.wake);
    void this.open();
  }

  /** Resolves once connected (at once if connected); rejects if the client closes for good first. */
  connected(): Promise<void> {
    if (this.current.status === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on('state', (state) => {
        if (state.status === 'connected') {
          off();
          resolve();
        } else if (state.status === 'closed') {
          off();
          reject(new SwitchboardError('closed', `connection closed: ${state.reason}`));
        }
      });
    });
  }

  /** Joins a room (or returns its subscription); it is rejoined with `since` after every reconnect. */
  join(room: string): RoomSubscription {
    let subscription = this.subscriptions.get(room);
    if (subscription && subscription.state !== 'left' && subscription.state !== 'failed')
      return subscription;
    subscription = new RoomSubscription(room, {
      sendTo: (name, text) => this.send(name, text),
      request: (event, data) => this.roomRequest(event, data),
      typing: (name) => this.typing(name),
      leave: (name) => this.leave(name),
    });
    this.subscriptions.set(room, subscription);
    if (this.current.status === 'connected') void this.rejoin(subscription, this.generation);
    return subscription;
  }

  /** Leaves a room and ends its subscription; its unsent messages are rejected. */
  async leave(room: string): Promise<void> {
    if (!this.dropSubscription(room)) return;
    if (this.current.status === 'connected')
      await this.requestNow('leave', { room }, this.requestTimeoutMs);
  }

  /**
   * Sends a message to a room through the outbox: it waits while disconnected (and until the room is
   * rejoined), is resent after a reconnect or `rate_limited` with the same `clientMsgId`, and reaches the
   * room exactly once, after every earlier send to that room. Resolves with its `ack`.
   */
  send(room: string, text: string): Promise<ServerEvents['ack']> {
    return this.enqueue(`room:${room}`, {
      event: 'message',
      data: { room, text, clientMsgId: this.nextClientMsgId() },
    });
  }

  /** Sends a direct message to user `to` through the outbox, as `send` does for rooms. */
  sendDm(to: string, text: string): Promise<ServerEvents['ack']> {
    return this.enqueue(`dm:${to}`, {
      event: 'dm',
      data: { to, text, clientMsgId: this.nextClientMsgId() },
    });
  }

  /**
   * Calls `listener` with the `data` of every `event` the app's server sends with `ChatPublisher`
   * (`emitToRoom`, `emitToUser`), until the returned function is called.
   */
  onServerEvent(event: string, listener: (data: Record<string, unknown>) => void): () => void {
    return this.on(event as keyof ClientEventMap, listener as never);
  }

  /** Tells a room this user is typing; dropped while disconnected (it is never worth a resend). */
  typing(room: string): void {
    if (this.socket?.readyState === OPEN) this.frame('typing', { room });
  }

  /**
   * Sends a request and resolves with its reply (matched by `ref`); rejects with the server's `error`, or
   * `timeout`, or `disconnected` if the socket drops first (the request may or may not have been carried
   * out), or `closed`. Waits for a connection within the timeout.
   */
  async request<E extends keyof ClientReplies>(
    event: E,
    data: ClientEvents[E],
    options: RequestOptions = {},
  ): Promise<ServerEvents[ClientReplies[E]]> {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    if (this.current.status !== 'connected') await this.waitConnected(timeoutMs, event);
    return this.requestNow(event, data, Math.max(0, deadline - Date.now()));
  }

  /** Closes the connection for good: no reconnect; waiting requests and sends are rejected `closed`. */
  close(): void {
    this.finish('client_closed', 1000);
  }

  /**
   * Connects again now, skipping any backoff wait: drops the socket if there is one (its requests reject
   * `disconnected`; its sends are resent on the new one) and opens another, asking `getToken` and `query`
   * again. After a close for good it connects as `connect()` does. Rooms and the outbox are kept.
   */
  reconnect(): void {
    if (this.current.status === 'idle' || this.current.status === 'closed') return this.connect();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
    this.heartbeat?.stop();
    this.failPending('disconnected');
    for (const room of this.subscriptions.values())
      if (room.state === 'joined') room.setState('joining');
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    void this.open();
  }

  /** A request about a room: waits, within its timeout, until the room is rejoined (else `not_in_room`). */
  private async roomRequest<E extends 'history' | 'members'>(
    event: E,
    data: ClientEvents[E] & { room: string },
  ): Promise<ServerEvents[E]> {
    const deadline = Date.now() + this.requestTimeoutMs;
    const room = this.subscriptions.get(data.room);
    if (room?.state === 'joining') {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new SwitchboardError('timeout', `${event}: ${data.room} not joined in time`)),
          this.requestTimeoutMs,
        );
      });
      try {
        await Promise.race([room.ready(), late]);
      } finally {
        clearTimeout(timer);
      }
    }
    const left = Math.max(0, deadline - Date.now());
    return (await this.request(event, data as never, { timeoutMs: left })) as ServerEvents[E];
  }

  private enqueue(key: string, send: OutboxSend): Promise<ServerEvents['ack']> {
    if (this.current.status === 'closed' && this.current.reason !== 'unreachable')
      return Promise.reject(new SwitchboardError('closed', 'the client is closed'));
    return this.outbox.add(key, send);
  }

  private nextClientMsgId(): string {
    return `${this.sessionId}-${(this.sends += 1)}`;
  }

  private ready(key: string): boolean {
    if (this.current.status !== 'connected') return false;
    if (!key.startsWith('room:')) return true;
    const room = this.subscriptions.get(key.slice(5));
    // A room joined without a subscription (the default room) only needs the connection.
    return room === undefined || room.state === 'joined';
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.emit('state', state);
  }

  private socketUrl(): string {
    const { url, query } = this.options;
    return withQuery(url, typeof query === 'function' ? query() : query);
  }

  private async open(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const generation = (this.generation += 1);
    this.setState({ status: 'connecting', attempt: this.attempt });
    let token: string | undefined;
    try {
      token = (await this.options.getToken?.()) ?? undefined;
    } catch {
      if (generation === this.generation) this.ended(generation, 1006, false, undefined);
      return;
    }
    if (generation !== this.generation) return;
    const protocols = token ? [SUBPROTOCOL, BEARER_SUBPROTOCOL_PREFIX + token] : [SUBPROTOCOL];
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(this.socketUrl(), protocols);
    } catch {
      // A token with characters a subprotocol may not hold: the next getToken() may give a usable one.
      this.ended(generation, 1006, false, undefined);
      return;
    }
    this.socket = socket;
    let opened = false;
    let httpStatus: number | undefined;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      opened = true;
      this.opened(generation);
    });
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (this.socket !== socket) return;
      this.heartbeat?.heard();
      if (typeof event.data === 'string') this.onFrame(event.data);
    });
    socket.addEventListener('error', (event: unknown) => {
      httpStatus ??= refusedStatus(event);
    });
    socket.addEventListener('close', (event: { code: number }) => {
      if (this.socket === socket) this.ended(generation, event.code, opened, httpStatus);
    });
  }

  private opened(generation: number): void {
    this.openedAt = Date.now();
    this.failuresBeforeOpen = 0;
    this.heartbeat?.start();
    this.setState({ status: 'connected' });
    for (const room of this.subscriptions.values()) void this.rejoin(room, generation);
    this.outbox.pumpAll();
  }

  private ended(
    generation: number,
    code: number,
    opened: boolean,
    httpStatus: number | undefined,
    droppedFor?: DisconnectReason,
  ): void {
    this.socket = undefined;
    this.heartbeat?.stop();
    this.failPending('disconnected');
    for (const room of this.subscriptions.values())
      if (room.state === 'joined') room.setState('joining');
    let { reason, rule }: { reason: DisconnectReason; rule: ReconnectRule } =
      httpStatus === undefined ? closeReason(code) : refusalReason(httpStatus);
    if (droppedFor) reason = droppedFor;
    if (opened) {
      if (Date.now() - this.openedAt >= (this.options.minUptimeMs ?? 5000)) {
        this.attempt = 0;
        this.tokenRetries = 0;
      }
    } else if (httpStatus === undefined) {
      this.failuresBeforeOpen += 1;
      if (this.failuresBeforeOpen >= this.maxFailuresBeforeOpen) {
        reason = 'unreachable';
        rule = 'never';
      }
    }
    const offline = this.browser?.navigator?.onLine === false;
    if (offline) reason = 'offline';
    if (rule === 'never') return this.finish(reason, code, httpStatus);
    // Every attempt would fail until the network is back, and the browser says when: its `online` event.
    if (offline) return this.setState({ status: 'disconnected', reason, code, httpStatus });
    // A first 4001 reconnects at once with a fresh token; a token that keeps expiring backs off.
    const retryInMs =
      rule === 'fresh_token' && (this.tokenRetries += 1) === 1
        ? 0
        : backoffDelay(this.attempt, this.options.backoff, this.random);
    this.attempt += 1;
    // Set before the state is told, so that an app calling close() or reconnect() from it cancels it.
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.open();
    }, retryInMs);
    this.setState({ status: 'disconnected', reason, code, httpStatus, retryInMs });
  }

  private finish(reason: DisconnectReason, code: number, httpStatus?: number): void {
    if (this.current.status === 'closed') return;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
    this.heartbeat?.stop();
    const closed = new SwitchboardError('closed', `connection closed: ${reason}`);
    this.failPending('closed');
    this.outbox.rejectAll(closed);
    for (const room of this.subscriptions.values())
      if (room.state === 'joined') room.setState('joining');
    // Hooks stay for `unreachable` in a browser: going online again is worth another try.
    if (reason !== 'unreachable' && reason !== 'offline') this.removeHooks();
    this.setState({ status: 'closed', reason, code, httpStatus });
  }

  private removeHooks(): void {
    this.browser?.removeEventListener('online', this.wake);
    this.browser?.removeEventListener('offline', this.wentOffline);
    this.browser?.removeEventListener('visibilitychange', this.wake);
  }

  /**
   * Drops the socket from this side, as after any drop. The browser lost its network: the socket may take
   * minutes to notice, so the app shows `disconnected` (`offline`) at once and `online` reconnects. Or the
   * heartbeat heard nothing after its ping (`heartbeat_timeout`: the peer or a middlebox gone without a
   * FIN): reconnected with the usual backoff.
   */
  private drop(reason?: DisconnectReason): void {
    const socket = this.socket;
    if (!socket) return;
    const opened = socket.readyState === OPEN;
    this.socket = undefined;
    socket.close(1000);
    this.ended(this.generation, 1006, opened, undefined, reason);
  }

  private reconnectNow(): void {
    const state = this.current;
    if (this.browser?.document?.visibilityState === 'hidden') return;
    const waiting = state.status === 'disconnected';
    const revivable =
      state.status === 'closed' && (state.reason === 'unreachable' || state.reason === 'offline');
    if (!waiting && !revivable) return;
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    void this.open();
  }

  private async rejoin(room: RoomSubscription, generation: number): Promise<void> {
    if (generation !== this.generation || room.state === 'left' || room.state === 'failed') return;
    room.setState('joining');
    const since = room.lastId;
    try {
      const current = () =>
        generation === this.generation && this.subscriptions.get(room.name) === room;
      // `ws` may hand over `joined` and the live messages after it in one turn: the snapshot must be
      // applied before them, so it is applied as the reply is read.
      await this.requestNow(
        'join',
        since === undefined ? { room: room.name } : { room: room.name, since },
        this.requestTimeoutMs,
        (joined) => current() && room.applyJoined(joined, since),
      );
      if (current()) this.outbox.pump(`room:${room.name}`);
    } catch (error) {
      if (generation !== this.generation || this.subscriptions.get(room.name) !== room) return;
      const failure = error as SwitchboardError;
      if (failure.code === 'disconnected' || failure.code === 'closed') return;
      const transient: string[] = [
        'timeout',
        ChatErrorCode.RateLimited,
        ChatErrorCode.Unavailable,
        ChatErrorCode.Internal,
      ];
      if (transient.includes(failure.code)) {
        const retryAfter = (failure.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
        setTimeout(() => void this.rejoin(room, generation), retryAfter ?? 1000);
        return;
      }
      room.fail(failure);
      this.outbox.rejectAll(failure, `room:${room.name}`);
    }
  }

  private waitConnected(timeoutMs: number, what: string): Promise<void> {
    if (this.current.status === 'closed' || this.current.status === 'idle')
      return Promise.reject(
        new SwitchboardError('closed', `${what}: the client is not connecting`),
      );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new SwitchboardError('timeout', `${what}: not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on('state', (state) => {
        if (state.status !== 'connected' && state.status !== 'closed') return;
        clearTimeout(timer);
        off();
        if (state.status === 'connected') resolve();
        else reject(new SwitchboardError('closed', `${what}: connection closed: ${state.reason}`));
      });
    });
  }

  private requestNow<E extends keyof ClientReplies>(
    event: E,
    data: ClientEvents[E],
    timeoutMs: number,
    onReply?: (reply: ServerEvents[ClientReplies[E]]) => void,
  ): Promise<ServerEvents[ClientReplies[E]]> {
    if (this.socket?.readyState !== OPEN)
      return Promise.reject(new SwitchboardError('disconnected', `${event}: not connected`));
    const ref = `r${(this.refs += 1)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new SwitchboardError('timeout', `${event}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer, onReply });
      this.frame(event, { ...data, ref });
    });
  }

  /** Ends a room's subscription and rejects its unsent messages; false when there was none. */
  private dropSubscription(room: string): boolean {
    const subscription = this.subscriptions.get(room);
    if (!subscription) return false;
    subscription.setState('left');
    this.subscriptions.delete(room);
    this.outbox.rejectAll(new SwitchboardError('closed', `left ${room}`), `room:${room}`);
    return true;
  }

  private frame(event: string, data: object): void {
    this.socket?.send(JSON.stringify({ event, data }));
  }

  private failPending(code: 'disconnected' | 'closed'): void {
    for (const [ref, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(ref);
      pending.reject(new SwitchboardError(code, `the connection ${code} before the reply`));
    }
  }

  private onFrame(text: string): void {
    let frame: { event?: unknown; data?: any };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    const { event, data } = frame;
    if (typeof event !== 'string' || typeof data !== 'object' || data === null) return;
    const ref: unknown = data.ref;
    const pending = typeof ref === 'string' ? this.pending.get(ref) : undefined;
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(ref as string);
      if (event === 'error') {
        const error = data as ServerEvents['error'];
        pending.reject(new SwitchboardError(error.code, error.message, error.details));
        return;
      }
      pending.onReply?.(data);
      pending.resolve(data);
    }
    const room = typeof data.room === 'string' ? this.subscriptions.get(data.room) : undefined;
    // A `left` nobody asked for: the app's server took this user out of the room; it is not rejoined.
    if (event === 'left' && !pending && room) this.dropSubscription(data.room as string);
    if (event === 'message' && room && !room.deliverMessage(data as ChatMessage)) return;
    if (room && ROOM_EVENTS.has(event)) room.deliver(event as 'presence', data);
    this.emit(event as keyof ServerEvents, data);
  }
}

/** The URL with `query` added. */
function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query) return url;
  const target = new URL(url);
  for (const [key, value] of Object.entries(query)) target.searchParams.set(key, value);
  return target.toString();
}

/** A random id for this client's clientMsgIds: unique across its reloads and devices. */
function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return (
    crypto?.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  );
}
