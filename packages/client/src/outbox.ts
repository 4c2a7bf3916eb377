import { ChatErrorCode } from '../../../src/protocol/chat-error-code.js';
import type { ClientEvents, ServerEvents } from '../../../src/protocol/chat.events.js';
import { MAX_SLOW_MODE_SECONDS } from '../../../src/protocol/limits.js';
import { SwitchboardError } from './switchboard-error.js';

type Ack = ServerEvents['ack'];

/** A send the outbox holds: a room message or a DM, with its `clientMsgId`. */
export type OutboxSend =
  | { event: 'message'; data: ClientEvents['message'] & { clientMsgId: string } }
  | { event: 'dm'; data: ClientEvents['dm'] & { clientMsgId: string } };

/** What the outbox asks of its client. */
export interface OutboxHost {
  /** Whether sends to this conversation may go now (connected, and its room joined). */
  ready(key: string): boolean;
  /** Sends one request on the current socket; rejects `disconnected` if there is none. */
  transmit(send: OutboxSend): Promise<Ack>;
  /** Called with each ack, in order. */
  acked(key: string, ack: Ack): void;
  /** A send came back `not_in_room`: true when the client rejoins the room (the send then waits). */
  rejoin(key: string): boolean;
  /** Milliseconds to wait before retrying after a refusal that names none (`unavailable`, a timeout). */
  retryDelay(attempt: number): number;
}

interface Item {
  send: OutboxSend;
  resolve: (ack: Ack) => void;
  reject: (error: SwitchboardError) => void;
  attempts: number;
}

interface Queue {
  items: Item[];
  /** The head was sent and its reply is awaited. */
  inFlight: boolean;
  /** A retry is scheduled. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** How long after the last `rate_limited` sends stay paced. */
const PACE_WINDOW_MS = 2000;
/** The slowest pace: one send a second. */
const MAX_PACE_MS = 1000;

/**
 * Sends that must reach their conversation exactly once and in the order the user made them. One queue per
 * conversation (room or DM peer), and one send of each queue in flight: a later send never overtakes an
 * earlier one that was refused (`rate_limited`) or lost with its socket. A resend carries the same
 * `clientMsgId`, so the server acks a send it already stored without storing it again.
 *
 * After a `rate_limited` every send waits its `retryAfterMs`, then sends are paced for PACE_WINDOW_MS after
 * the last refusal: the connection's bucket is empty, and sending on at full speed would earn one refusal
 * per send, which the server stops answering past `RATE_LIMIT_SILENT_AFTER` (a send would then wait out its
 * request timeout) and closes with 1008 past `RATE_LIMIT_CLOSE_AFTER`. The pace is twice `retryAfterMs`
 * (the refill interval), doubled again at each refusal while pacing: sending at exactly the refill rate
 * still earns refusals, at every jitter and whenever the app's other requests (typing, read) take a token.
 */
export class Outbox {
  private readonly queues = new Map<string, Queue>();
  private lastSentAt = 0;
  private refusedAt = Number.NEGATIVE_INFINITY;
  private paceMs = 0;
  /** Whether a send went since the last refusal: only the ones after it are paced. */
  private sentSinceRefusal = false;
  /** Refusals in a row, each within PACE_WINDOW_MS of the one before. */
  private refusalsInRow = 0;
  private pausedUntil = 0;
  private gateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: OutboxHost) {}

  /** Sends still waiting for their ack. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.items.length;
    return size;
  }

  /** Queues a send for conversation `key`; resolves with its ack. */
  add(key: string, send: OutboxSend): Promise<Ack> {
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { items: [], inFlight: false, timer: undefined }));
    const promise = new Promise<Ack>((resolve, reject) =>
      queue.items.push({ send, resolve, reject, attempts: 0 }),
    );
    this.pump(key);
    return promise;
  }

  /** Sends the head of every queue that may go now. */
  pumpAll(): void {
    for (const key of this.queues.keys()) this.pump(key);
  }

  /** Sends the head of `key`'s queue if it may go now and nothing of it is in flight or waiting. */
  pump(key: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.inFlight || queue.timer !== undefined) return;
    const item = queue.items[0];
    if (!item) {
      this.queues.delete(key);
      return;
    }
    if (!this.host.ready(key)) return;
    const wait = this.gate() - Date.now();
    if (wait > 0) return this.pumpAllIn(wait);
    this.lastSentAt = Date.now();
    this.sentSinceRefusal = true;
    queue.inFlight = true;
    item.attempts += 1;
    this.host.transmit(item.send).then(
      (ack) => {
        queue.inFlight = false;
        if (queue.items[0] !== item) return;
        queue.items.shift();
        this.host.acked(key, ack);
        item.resolve(ack);
        this.pump(key);
      },
      (error: SwitchboardError) => {
        queue.inFlight = false;
        if (queue.items[0] === item) this.refused(key, queue, item, error);
      },
    );
  }

  /** Rejects every waiting send (of `key`, or all), for good. */
  rejectAll(error: SwitchboardError, key?: string): void {
    for (const [name, queue] of this.queues) {
      if (key !== undefined && name !== key) continue;
      clearTimeout(queue.timer);
      this.queues.delete(name);
      for (const item of queue.items.splice(0)) item.reject(error);
    }
  }

  private refused(key: string, queue: Queue, item: Item, error: SwitchboardError): void {
    switch (error.code) {
      case 'disconnected':
        // Resent after the reconnect (and the room's rejoin), which pump the queue again.
        return;
      case ChatErrorCode.RateLimited:
        this.rateLimited(retryAfterMs(error.details));
        return this.pumpAllIn(this.gate() - Date.now());
      case 'timeout':
      case ChatErrorCode.Unavailable:
      case ChatErrorCode.Internal:
        return this.retryAfter(key, queue, this.host.retryDelay(item.attempts));
      case ChatErrorCode.NotInRoom:
        if (this.host.rejoin(key)) return;
        break;
      default:
        break;
    }
    queue.items.shift();
    item.reject(error);
    this.pump(key);
  }

  /** When the next send may go: after a refusal's pause, and paced for a while after it. */
  private gate(): number {
    // The first send after a refusal goes when the server said a token would be there; the pace spaces the
    // sends after it.
    const pacing = Date.now() - this.refusedAt < PACE_WINDOW_MS && this.sentSinceRefusal;
    return Math.max(this.pausedUntil, pacing ? this.lastSentAt + this.paceMs : 0);
  }

  private rateLimited(ms: number): void {
    const now = Date.now();
    const pacing = now - this.refusedAt < PACE_WINDOW_MS;
    this.refusalsInRow = pacing ? this.refusalsInRow + 1 : 1;
    const pace = ms * 2 ** Math.min(this.refusalsInRow, 10);
    this.paceMs = Math.min(MAX_PACE_MS, pacing ? Math.max(this.paceMs, pace) : pace);
    this.refusedAt = now;
    this.sentSinceRefusal = false;
    this.pausedUntil = now + ms;
  }

  private pumpAllIn(ms: number): void {
    if (this.gateTimer !== undefined) return;
    this.gateTimer = setTimeout(() => {
      this.gateTimer = undefined;
      this.pumpAll();
    }, ms);
  }

  private retryAfter(key: string, queue: Queue, ms: number): void {
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      this.pump(key);
    }, ms);
  }
}

/** The server's wait, believed up to a room's longest slow mode; anything else waits a second. */
function retryAfterMs(details: unknown): number {
  const ms = (details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 && ms <= MAX_SLOW_MODE_SECONDS * 1000 ? ms : 1000;
}
