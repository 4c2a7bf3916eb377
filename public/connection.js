// The protocol half of the web client: one native WebSocket with reconnects, requests correlated by
// `ref`, and an outbox whose sends reach each conversation exactly once and in the order they were made.
// It knows nothing of the page; the UI (app.js) listens to its events. docs/PROTOCOL.md is the contract.

/** Close codes the page acts on (docs/PROTOCOL.md, "Close codes"). */
export const CloseCode = Object.freeze({
  Normal: 1000,
  Policy: 1008,
  /** Not sent by the server: the page closes its own socket with it when the browser goes offline. */
  Offline: 4000,
  TokenExpired: 4001,
});

/** Error codes the page acts on (src/protocol/chat-error-code.ts has the closed list). */
export const ErrorCode = Object.freeze({
  RateLimited: 'rate_limited',
  Unavailable: 'unavailable',
  NotInRoom: 'not_in_room',
  Forbidden: 'forbidden',
  /** Not a server code: a request the server never answered, or whose socket closed first. */
  Timeout: 'timeout',
  Disconnected: 'disconnected',
});

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
const REQUEST_TIMEOUT_MS = 15000;
/** A send unanswered this long is sent again: past the refusal window the server stops answering refusals. */
const SEND_TIMEOUT_MS = 10000;
/** How long after a `rate_limited` the outbox keeps spacing its sends (the server's refusal window). */
const PACE_WINDOW_MS = 10000;

/** Capped exponential backoff: the delay before retry number `n` (0-based). */
export function backoff(n) {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** n);
}

/** The refusal's `details.retryAfterMs`, or a second. */
export function retryAfter(error) {
  return Math.max(50, Number(error?.details?.retryAfterMs) || 1000);
}

/** A refused or unanswered request: `code` is a server error code or one of Timeout/Disconnected. */
export class RequestError extends Error {
  constructor(data) {
    super(data.message || data.code);
    this.code = data.code;
    this.details = data.details;
  }
}

/**
 * One connection to the server, reopened after every loss with full-jitter backoff until it is closed for
 * good (1000 by the server, 1008, 4001 token expired). Emits `state` ({state, code}), `open` and `frame`
 * ({event, data}) for every frame that is not the reply to a request.
 */
export class Connection extends EventTarget {
  /** @param {() => string} url the socket URL, asked again at every connect */
  constructor(url) {
    super();
    this.url = url;
    this.socket = null;
    this.state = 'idle';
    this.attempt = 0;
    this.refCounter = 0;
    this.timer = undefined;
    /** Requests awaiting their reply, by ref. */
    this.pending = new Map();
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket now (again), unless the connection was closed for good. */
  connect() {
    if (this.state === 'expired') return;
    clearTimeout(this.timer);
    if (this.socket) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url());
    this.socket = ws;
    // A replaced socket's late events must not touch the state of its successor.
    ws.addEventListener('open', () => ws === this.socket && this.opened());
    ws.addEventListener('message', (event) => ws === this.socket && this.received(event.data));
    ws.addEventListener('close', (event) => ws === this.socket && this.closed(event.code));
  }

  /** Closes the socket as the browser going offline would; `online` reconnects. */
  goOffline() {
    if (this.state === 'expired' || this.state === 'closed') return;
    clearTimeout(this.timer);
    const ws = this.socket;
    if (ws) {
      this.socket = null;
      ws.close(CloseCode.Offline, 'offline');
      this.closed(CloseCode.Offline);
    } else this.setState('offline');
  }

  /** Reconnects at once, forgetting the backoff (the Reconnect button, the browser back online). */
  reconnectNow() {
    if (this.socket || this.state === 'expired') return;
    this.attempt = 0;
    this.connect();
  }

  /** Sends a frame that gets no reply on success (`typing`); false when not connected. */
  post(event, data) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify({ event, data }));
    return true;
  }

  /** Sends a request with a fresh ref; resolves with the reply's data, rejects with a RequestError. */
  request(event, data, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    if (!this.isOpen)
      return Promise.reject(new RequestError({ code: ErrorCode.Disconnected, message: 'offline' }));
    this.refCounter += 1;
    const ref = `r${this.refCounter}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new RequestError({ code: ErrorCode.Timeout, message: `no answer to ${event}` }));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.post(event, { ...data, ref });
    });
  }

  setState(state, code) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, code } }));
  }

  opened() {
    this.attempt = 0;
    this.setState('online');
    this.dispatchEvent(new Event('open'));
  }

  received(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    const { event, data } = frame ?? {};
    if (typeof event !== 'string' || !data || typeof data !== 'object') return;
    const waiting = typeof data.ref === 'string' ? this.pending.get(data.ref) : undefined;
    if (waiting) {
      this.pending.delete(data.ref);
      clearTimeout(waiting.timer);
      if (event === 'error') waiting.reject(new RequestError(data));
      else waiting.resolve(data);
      return;
    }
    this.dispatchEvent(new CustomEvent('frame', { detail: { event, data } }));
  }

  closed(code) {
    this.socket = null;
    // Their answers died with the socket.
    for (const [ref, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(ref);
      waiting.reject(new RequestError({ code: ErrorCode.Disconnected, message: 'disconnected' }));
    }
    if (code === CloseCode.TokenExpired) return this.setState('expired', code);
    if (code === CloseCode.Normal || code === CloseCode.Policy)
      return this.setState('closed', code);
    if (!navigator.onLine) return this.setState('offline', code);
    // Full jitter, so that a restarted server is not hit by every client at once.
    const delay = Math.random() * backoff(this.attempt);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.setState('reconnecting', code);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

/**
 * Sends made by the user, per conversation (a `chain`), each with a clientMsgId: one send of a chain is in
 * flight at a time, so a refusal (`rate_limited`, `unavailable`) cannot let a later send overtake it; the
 * refused one goes again after `retryAfterMs`, then the rest follow. Sends wait while disconnected and
 * until `isReady(chain)` (a room joined), and go again after a reconnect; the server's clientMsgId dedupe
 * makes a resend of one that did arrive harmless. After a `rate_limited` the sends of every chain are
 * spaced by the longest wait the server asked for: sending again the moment a token comes back would be
 * refused every other time, and past RATE_LIMIT_SILENT_AFTER refusals the server stops answering.
 */
export class Outbox {
  /**
   * @param {Connection} connection
   * @param {{ isReady: (chain: string) => boolean, notInRoom: (chain: string) => void }} hooks
   */
  constructor(connection, hooks) {
    this.connection = connection;
    this.hooks = hooks;
    /** Queued sends by chain, oldest first. */
    this.chains = new Map();
    this.lastSentAt = 0;
    this.paceMs = 0;
    this.pacedUntil = 0;
  }

  /**
   * Queues a send; `entry.onAck(ack)` runs once it is stored, `entry.onFail(error)` if it is refused for
   * good. Returns the entry (its clientMsgId is set).
   */
  push(chain, event, data, entry) {
    entry.chain = chain;
    entry.event = event;
    entry.data = { ...data, clientMsgId: entry.clientMsgId };
    entry.attempts = 0;
    entry.inFlight = false;
    let queue = this.chains.get(chain);
    if (!queue) this.chains.set(chain, (queue = []));
    queue.push(entry);
    this.flush(chain);
    return entry;
  }

  /** Sends the head of one chain (or of each) if it can go now. */
  flush(chain) {
    if (chain === undefined) {
      for (const key of this.chains.keys()) this.flush(key);
      return;
    }
    const head = this.chains.get(chain)?.[0];
    if (!head || head.inFlight || head.timer !== undefined) return;
    if (!this.connection.isOpen || !this.hooks.isReady(chain)) return;
    const wait = this.paceWait();
    if (wait > 0) return this.later(head, wait);
    this.lastSentAt = Date.now();
    head.inFlight = true;
    this.connection
      .request(head.event, head.data, { timeoutMs: SEND_TIMEOUT_MS })
      .then((ack) => this.settle(head, () => head.onAck(ack)))
      .catch((error) => this.refused(head, error));
  }

  /** Drops every queued send of a chain (a room left). */
  drop(chain) {
    for (const entry of this.chains.get(chain) ?? []) clearTimeout(entry.timer);
    this.chains.delete(chain);
  }

  settle(entry, then) {
    const queue = this.chains.get(entry.chain);
    if (queue?.[0] !== entry) return;
    queue.shift();
    if (queue.length === 0) this.chains.delete(entry.chain);
    then();
    this.flush(entry.chain);
  }

  refused(entry, error) {
    entry.inFlight = false;
    if (this.chains.get(entry.chain)?.[0] !== entry) return;
    switch (error.code) {
      case ErrorCode.RateLimited: {
        const ms = retryAfter(error);
        this.paceMs = Math.max(this.paceMs, ms);
        this.pacedUntil = Date.now() + PACE_WINDOW_MS;
        return this.later(entry, ms);
      }
      case ErrorCode.Unavailable:
        entry.attempts += 1;
        return this.later(entry, backoff(entry.attempts));
      case ErrorCode.Timeout:
        return this.flush(entry.chain);
      case ErrorCode.Disconnected:
        // Goes again once the connection is back (and the room rejoined).
        return;
      case ErrorCode.NotInRoom:
        return this.hooks.notInRoom(entry.chain);
      default:
        this.settle(entry, () => entry.onFail(error));
    }
  }

  /** How long the next send must wait to keep the pace set by the last refusals. */
  paceWait() {
    const now = Date.now();
    if (now >= this.pacedUntil) {
      this.paceMs = 0;
      return 0;
    }
    return this.lastSentAt + this.paceMs - now;
  }

  later(entry, ms) {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.flush(entry.chain);
    }, ms);
  }
}
