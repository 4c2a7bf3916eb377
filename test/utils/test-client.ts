import WebSocket, { type ClientOptions } from 'ws';

/** One frame as the client received it. */
export interface Frame {
  event: string;
  data: Record<string, any>;
}

/** How to open a test client. */
export interface ConnectOptions {
  /** Query parameters, such as `name`, `uid` or `access_token`. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Subprotocols to offer in `Sec-WebSocket-Protocol`. */
  protocols?: string[];
  /** Further `ws` client options, such as `{ autoPong: false }` for a client that ignores pings. */
  ws?: ClientOptions;
  /** Waits (default 2000 ms) name what they waited for when they time out. */
  timeoutMs?: number;
}

/** Why a socket closed. */
export interface Closed {
  code: number;
  reason: string;
}

/**
 * The one WebSocket client of the test suite: buffers every frame it receives, and every wait has a
 * timeout whose error names what it waited for.
 */
export class TestClient {
  /** Every frame received and not yet taken by a wait. */
  readonly inbox: Frame[] = [];
  private waiters: Array<() => void> = [];
  private refs = 0;
  private readonly closed: Promise<Closed>;

  private constructor(
    readonly socket: WebSocket,
    private readonly timeoutMs: number,
  ) {
    socket.on('message', (raw: Buffer) => {
      this.inbox.push(JSON.parse(raw.toString()) as Frame);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    socket.on('error', () => undefined);
  }

  /** Opens a socket and resolves once it is open; rejects with the HTTP status if the upgrade is refused. */
  static connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const target = new URL(url);
    for (const [key, value] of Object.entries(options.query ?? {}))
      target.searchParams.set(key, value);
    const socket = new WebSocket(target, options.protocols ?? [], {
      ...options.ws,
      headers: options.headers,
    });
    const client = new TestClient(socket, options.timeoutMs ?? 2000);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) =>
        reject(new UpgradeRefused(res.statusCode ?? 0, res.headers)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends one envelope. */
  send(event: string, data: Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  /** Sends a raw text frame, as is. */
  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Sends one text message as a frame per part: the first a text frame, the rest continuation frames. */
  sendFragments(parts: string[]): void {
    parts.forEach((part, i) => this.socket.send(part, { fin: i === parts.length - 1 }));
  }

  /** Sends a request with a fresh `ref` and resolves with the reply that carries it (an `error` included). */
  async request(event: string, data: Record<string, unknown> = {}): Promise<Frame> {
    const ref = `r${(this.refs += 1)}`;
    this.send(event, { ...data, ref });
    return this.next((frame) => frame.data?.ref === ref, `a reply to ${event} with ref ${ref}`);
  }

  /** Waits for the first frame of this event (or matching this predicate) and takes it from the inbox. */
  async next(match: string | ((frame: Frame) => boolean), what?: string): Promise<Frame> {
    const predicate = typeof match === 'string' ? (frame: Frame) => frame.event === match : match;
    const label = what ?? (typeof match === 'string' ? `a "${match}" frame` : 'a matching frame');
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(predicate);
      if (index >= 0) return this.inbox.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out after ${this.timeoutMs} ms waiting for ${label}; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`,
        );
      }
      await this.sleepUntilWoken(left);
    }
  }

  /** Resolves with every frame of this event received within `ms` (taking them from the inbox). */
  async collect(event: string, ms: number): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const taken = this.inbox.filter((frame) => frame.event === event);
    this.inbox.splice(0, this.inbox.length, ...this.inbox.filter((frame) => frame.event !== event));
    return taken;
  }

  /** Resolves with every frame received within `ms`, of any event (taking them from the inbox). */
  async drain(ms: number): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.inbox.splice(0, this.inbox.length);
  }

  /** Resolves with the close code and reason, or throws after the timeout. */
  async waitClosed(timeoutMs = this.timeoutMs): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for the socket to close`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes the socket (if open) and waits for it to close. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(1000);
    await this.waitClosed().catch(() => this.socket.terminate());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The upgrade was answered with an HTTP status instead of a socket. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    /** The refusal's response headers, such as `retry-after`. */
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    super(`upgrade refused with HTTP ${status}`);
  }
}
