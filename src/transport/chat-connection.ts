import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Identity } from '../auth/identity.js';
import type { ChatSession } from '../domain/session.js';
import { flushAtTurnEnd, type TurnFlushable } from '../domain/turn-flush.js';
import { tcpSocketOf } from '../fast-path/nest-internals.js';
import type { User } from '../protocol/chat.events.js';
import { CloseCode } from '../protocol/close-code.js';
import { frameText, prepareFrame, type FrameRun, type PreparedFrame } from './prepared-frame.js';
import type { Heartbeating } from './heartbeat.js';
import { ChatSocket } from './chat-socket.js';
import { JoinedRooms } from './joined-rooms.js';
import { RefusalWindow } from './refusal-window.js';
import { TokenBucket } from '../engine/token-bucket.js';
import type { RouteTable } from '../fast-path/gateway-routes.js';

/** What a connection reports upward without knowing who listens. */
export interface ConnectionObserver {
  slowConsumerClosed(): void;
}

/** A frame held back while the room it belongs to is being joined. */
interface HeldFrame {
  /** The message id, or undefined for frames without one (presence, typing), which are always sent. */
  id: string | undefined;
  frame: PreparedFrame;
}

/** Limits a connection enforces on itself. */
export interface ConnectionLimits {
  /** Bytes queued for the socket (held this turn plus unsent), past which it is closed with 1013. */
  slowConsumerBytes: number;
  /** Refused frames within `refusalWindowMs` past which further refusals go unanswered. */
  refusalSilentAfter: number;
  /** Refused frames within `refusalWindowMs` at which the socket is closed with 1008. */
  refusalCloseAfter: number;
  /** Window over which refused frames are counted. */
  refusalWindowMs: number;
  /** Inbound frames a second, sustained (RATE_LIMIT_PER_SECOND). */
  ratePerSecond: number;
  /** Inbound frames at once (RATE_LIMIT_BURST). */
  rateBurst: number;
}

/** A server's ping with no payload, framed: the same two bytes for every socket and every heartbeat. */
const PING_WIRE = Buffer.from([0x89, 0x00]);

/** Frames held for one joining room at most; past it the socket is a slow consumer. */
const MAX_HELD_FRAMES = 4096;

/** The connection behind a socket accepted by the adapter. */
export function connectionOf(socket: WebSocket): ChatConnection {
  // Only a ChatConnection sets a ChatSocket's owner.
  const connection =
    socket instanceof ChatSocket ? (socket.owner as ChatConnection | undefined) : undefined;
  if (!connection) throw new Error('socket was not accepted by ChatWsAdapter');
  return connection;
}

/** One WebSocket on this node: who it is, which rooms it is in, and a bounded way to write to it. */
export class ChatConnection implements ChatSession, TurnFlushable, Heartbeating {
  /** Rooms this socket has joined. */
  readonly rooms = new JoinedRooms();
  /** Heartbeats sent without a pong since the last pong; `ChatSocket` sets it back to 0 on a pong. */
  missedPongs = 0;
  /** The heartbeat wheel's bucket this socket is pinged from. */
  heartbeatBucket = -1;
  /** Its share of the node's connection limits, given back when the socket closes. */
  admission: { release(): void } | undefined;
  /** Created on the first join: most sockets never need it, and idle sockets are many. */
  private held: Map<string, HeldFrame[]> | undefined;
  /**
   * The TCP socket under ws, written to directly with prepared frames. Only without permessage-deflate:
   * then ws frames synchronously and keeps no queue, so direct writes cannot overtake its own.
   */
  private readonly raw: Duplex | undefined;
  /**
   * Wire bytes written this turn, sent in one write when the turn ends; undefined when none. Counted
   * against SLOW_CONSUMER_BYTES with the bytes of earlier turns still unsent: one turn can queue much
   * (forty joins with a full recovery each), and a socket that does not read must not hold it all.
   * Frames written to the ws socket directly (`socket.send`) do not wait for the turn and can overtake
   * held ones: write through this connection to keep a socket's frames in order.
   */
  private pending: Buffer[] | undefined;
  /** Bytes in `pending`, so that the slow-consumer check costs one addition per held buffer. */
  private pendingBytes = 0;
  /** Created on the first refused frame: most sockets never get one, and idle sockets are many. */
  private refusals: RefusalWindow | undefined;
  /**
   * Created on the first inbound frame, full as it would have been at the upgrade (a bucket only refills up
   * to its burst): an idle socket keeps no bucket.
   */
  private rate: TokenBucket | undefined;
  /**
   * The gateway's disconnect hook (Nest's callback, or the lean path's shared one), run first when the socket
   * closes, called as a method: `this` is this connection.
   */
  disconnected: ((this: ChatConnection, code: number) => void) | undefined;
  /** The routes of the gateway this socket's frames go to, read by the adapter's shared 'message' listener. */
  routes: RouteTable | undefined;

  constructor(
    /** Unique across nodes and restarts: lets a fan-out on any node skip the sender. */
    readonly id: string,
    /** A socket of the adapter's servers, which create `ChatSocket`s: it holds this connection. */
    readonly socket: ChatSocket,
    readonly identity: Identity,
    private readonly limits: ConnectionLimits,
    private readonly observer: ConnectionObserver,
  ) {
    socket.owner = this;
    this.raw = socket.extensions === '' ? tcpSocketOf(socket) : undefined;
  }

  /** The user behind this socket. */
  get user(): User {
    return this.identity.user;
  }

  /**
   * Sends a heartbeat ping. Without permessage-deflate, two constant bytes written straight to the TCP
   * socket: nothing to allocate or frame, and ws keeps no queue that they could overtake.
   */
  ping(): void {
    if (this.raw) this.raw.write(PING_WIRE);
    else this.socket.ping();
  }

  /** True while the socket can take frames. */
  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Writes one serialized text frame (true when written), closing the socket with 1013 instead of buffering past the limit. */
  send(frame: Buffer | string): boolean {
    if (!this.raw) {
      // A string's length, not its UTF-8 byte count: the bound needs no exact figure, and counting costs a pass.
      if (!this.writable(frame.length)) return false;
      this.socket.send(frame, { binary: false });
      return true;
    }
    // Framed into one buffer and corked with the turn's other writes: ws's own send writes header and payload with writev.
    const wire = typeof frame === 'string' ? frameText(frame) : prepareFrame(frame).wire;
    if (!this.writable(wire.length)) return false;
    this.hold(wire);
    return true;
  }

  /** Writes a frame prepared once for many sockets; writes within one event-loop turn leave in one system call. */
  sendPrepared(frame: PreparedFrame): boolean {
    if (!this.writable(frame.wire.length)) return false;
    if (!this.raw) {
      this.socket.send(frame.payload, { binary: false });
      return true;
    }
    this.hold(frame.wire);
    return true;
  }

  /** Writes what this turn held for the socket: one buffer as it is, several corked into one system call. */
  flushTurn(): void {
    const pending = this.pending;
    if (!pending || !this.raw) return;
    this.pending = undefined;
    this.pendingBytes = 0;
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (pending.length === 1) {
      this.raw.write(pending[0]);
      return;
    }
    this.raw.cork();
    for (const wire of pending) this.raw.write(wire);
    this.raw.uncork();
  }

  /**
   * Holds wire bytes until the turn ends, as the corked relay does: a write call per socket per turn, and
   * no cork and uncork bookkeeping for the common case of one frame per socket per turn.
   */
  private hold(wire: Buffer): void {
    this.pendingBytes += wire.length;
    if (this.pending) this.pending.push(wire);
    else {
      this.pending = [wire];
      flushAtTurnEnd(this);
    }
  }

  /**
   * Whether `bytes` more may be queued: closes the socket with 1013 instead when they would take what is
   * queued for it (held this turn, plus unsent from earlier turns, pongs included) past SLOW_CONSUMER_BYTES.
   * A socket with nothing queued always takes one frame, so that no single reply is refused for its size.
   */
  private writable(bytes: number): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    const queued = this.pendingBytes + this.socket.bufferedAmount;
    if (queued > 0 && queued + bytes > this.limits.slowConsumerBytes) {
      this.observer.slowConsumerClosed();
      this.close(CloseCode.TryAgainLater, 'slow consumer');
      return false;
    }
    return true;
  }

  /** Sends a room frame now, or holds it if the room's join is still reading history. */
  sendRoomFrame(room: string, id: string | undefined, frame: PreparedFrame): boolean {
    const held = this.held?.get(room);
    if (!held) return this.sendPrepared(frame);
    if (held.length >= MAX_HELD_FRAMES) {
      this.observer.slowConsumerClosed();
      this.close(CloseCode.TryAgainLater, 'slow consumer');
      return false;
    }
    held.push({ id, frame });
    return true;
  }

  /** Sends a run of a room's frames: one write when it can, else frame by frame; returns how many went out. */
  sendRoomRun(room: string, run: FrameRun): number {
    if (this.raw && !this.held?.has(room)) {
      if (!this.writable(run.wire.length)) return 0;
      this.hold(run.wire);
      return run.frames.length;
    }
    let sent = 0;
    run.frames.forEach((frame, i) => {
      if (this.sendRoomFrame(room, run.ids[i], frame)) sent += 1;
    });
    return sent;
  }

  /** Spends one rate token: 0 when granted, else the wait in ms, the refusal counted (see `countRefusal`). */
  takeRateToken(): number {
    const rate = (this.rate ??= new TokenBucket(this.limits.ratePerSecond, this.limits.rateBurst));
    const retryAfterMs = rate.take();
    if (retryAfterMs > 0) this.countRefusal();
    return retryAfterMs;
  }

  /**
   * Counts one refused frame within RATE_LIMIT_WINDOW_MS and closes the socket with 1008 once
   * RATE_LIMIT_CLOSE_AFTER are; an accepted frame does not reset the count.
   */
  countRefusal(): void {
    const { refusalWindowMs, refusalCloseAfter } = this.limits;
    const refusals = (this.refusals ??= new RefusalWindow(refusalWindowMs));
    if (refusals.count() >= refusalCloseAfter)
      this.close(CloseCode.PolicyViolation, 'too many refused frames');
  }

  /** Whether refused frames still get an answer: not past RATE_LIMIT_SILENT_AFTER refusals in the window, nor once closing. */
  get answersRefusals(): boolean {
    return (
      this.isOpen &&
      (this.refusals === undefined || this.refusals.current() <= this.limits.refusalSilentAfter)
    );
  }

  /** Starts holding this room's frames until `endJoin`, so that history and live frames neither overlap nor gap. */
  beginJoin(room: string): void {
    (this.held ??= new Map()).set(room, []);
  }

  /** Sends the frames held during a join that are newer than the history already sent, and stops holding. */
  endJoin(room: string, isNewer: (id: string) => boolean): void {
    const held = this.held?.get(room);
    this.held?.delete(room);
    for (const { id, frame } of held ?? [])
      if (id === undefined || isNewer(id)) this.sendPrepared(frame);
  }

  /** Closes the socket with a documented code, after the frames this turn held for it; a no-op once it is closing. */
  close(code: CloseCode, reason: string): void {
    this.flushTurn();
    if (
      this.socket.readyState === this.socket.OPEN ||
      this.socket.readyState === this.socket.CONNECTING
    ) {
      this.socket.close(code, reason);
    }
  }
}
