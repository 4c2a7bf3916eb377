import type { Frame, TestClient } from './test-client.js';

/** A room message as `history` shows it. */
export interface ShownMessage {
  id: string;
  room: string;
  from: { id: string; name: string };
  text: string;
  ts: number;
}

/** Every message of a room, oldest first: `history` paged back with `before` until an empty page. */
export async function wholeHistory(client: TestClient, room: string): Promise<ShownMessage[]> {
  const pages: ShownMessage[][] = [];
  let before: string | undefined;
  for (;;) {
    const reply = await client.request(
      'history',
      before ? { room, before, limit: 100 } : { room, limit: 100 },
    );
    if (reply.event !== 'history')
      throw new Error(`history of ${room} answered ${JSON.stringify(reply.data)}`);
    const page = reply.data.messages as ShownMessage[];
    if (page.length === 0) break;
    pages.unshift(page);
    before = page[0].id;
  }
  return pages.flat();
}

/** Ids that occur more than once. */
export function repeated(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => seen.has(id) || !seen.add(id));
}

/**
 * One user's sends, each with a `clientMsgId` (`<uid>-<n>`) and the text `<uid> <n>`, keeping what the
 * server promised: `acked` (clientMsgId to message id) and `unacked` (sent, but no ack seen: answered
 * `unavailable`, or cut off by a crash). `resend` sends the unacked ones again with the same ids.
 */
export class AckedSender {
  /** Message id per clientMsgId, for every send the server acked. */
  readonly acked = new Map<string, string>();
  /** The clientMsgIds sent and not acked (yet). */
  readonly unacked = new Set<string>();
  /** How many sends were answered `unavailable`. */
  unavailable = 0;
  /** Error codes other than `unavailable`, which no test here expects. */
  readonly otherErrors: string[] = [];
  private sent = 0;
  private client: TestClient | undefined;
  private whenSettled: (() => void) | undefined;
  /** Sends kept unanswered by `keepInFlight`: each ack sends a new one while it is set. */
  private window = 0;
  private readonly onFrame = (raw: Buffer) => this.read(JSON.parse(raw.toString()) as Frame);

  constructor(
    readonly uid: string,
    readonly room: string,
  ) {}

  /** Uses this socket from now on (after a restart, a new one). */
  attach(client: TestClient): void {
    this.client?.socket.off('message', this.onFrame);
    this.client = client;
    client.socket.on('message', this.onFrame);
  }

  /** Sends `count` new messages at once, without waiting for their replies. */
  burst(count: number): void {
    for (let i = 0; i < count; i += 1) this.transmit(`${this.uid}-${(this.sent += 1)}`);
  }

  /**
   * Keeps `window` new sends unanswered, sending one more on each ack, until `stopSending`: a crash at
   * any moment then cuts sends off mid-flight.
   */
  keepInFlight(window: number): void {
    this.window = window;
    this.burst(window);
  }

  /** Ends `keepInFlight`: no new send is made. */
  stopSending(): void {
    this.window = 0;
  }

  /** Sends one new message and resolves with its reply (an `ack` or an `error`). */
  async sendOne(): Promise<Frame> {
    const clientMsgId = `${this.uid}-${(this.sent += 1)}`;
    this.transmit(clientMsgId);
    return this.socket().next(
      (frame) => frame.data?.ref === clientMsgId,
      `the reply to ${clientMsgId}`,
    );
  }

  /**
   * Resolves the moment no send is left unacked (at once if none is): a test may act right after the
   * last ack arrives, as a crash could.
   */
  settled(timeoutMs = 20_000): Promise<void> {
    if (this.unacked.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${this.uid}'s ${this.unacked.size} unacked sends`,
            ),
          ),
        timeoutMs,
      );
      this.whenSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Sends every unacked message again, with its clientMsgId, without waiting for the replies. */
  resend(): void {
    for (const clientMsgId of this.unacked) this.transmit(clientMsgId);
  }

  /** The text a clientMsgId was sent with. */
  static textOf(clientMsgId: string): string {
    const dash = clientMsgId.lastIndexOf('-');
    return `${clientMsgId.slice(0, dash)} ${clientMsgId.slice(dash + 1)}`;
  }

  private transmit(clientMsgId: string): void {
    this.unacked.add(clientMsgId);
    this.socket().send('message', { ...this.payload(clientMsgId), ref: clientMsgId });
  }

  private payload(clientMsgId: string): Record<string, string> {
    return { room: this.room, text: AckedSender.textOf(clientMsgId), clientMsgId };
  }

  private socket(): TestClient {
    if (!this.client) throw new Error(`${this.uid} has no socket`);
    return this.client;
  }

  private read(frame: Frame): void {
    // Every send carries its clientMsgId as its ref, so a reply names the send it answers.
    const clientMsgId = frame.data?.ref;
    if (typeof clientMsgId !== 'string' || !this.unacked.has(clientMsgId)) return;
    if (frame.event === 'ack') {
      this.acked.set(clientMsgId, frame.data.id as string);
      this.unacked.delete(clientMsgId);
      if (this.window > 0) this.burst(1);
      if (this.unacked.size === 0) this.whenSettled?.();
    } else if (frame.event === 'error') {
      if (frame.data.code === 'unavailable') this.unavailable += 1;
      else this.otherErrors.push(String(frame.data.code));
    }
  }
}

/**
 * Each sender sends one message after another (awaiting each reply, a 10 ms beat between), until
 * `stop()`, which resolves once every loop has ended.
 */
export function sendContinuously(senders: readonly AckedSender[]): { stop(): Promise<void> } {
  let stopped = false;
  const loops = senders.map(async (sender) => {
    while (!stopped) {
      await sender.sendOne();
      // An outage is then many answered sends rather than a busy loop.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
