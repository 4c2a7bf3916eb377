import { TestClient, type Frame } from './test-client.js';
import { waitFor } from './wait-for.mjs';

/**
 * A client that behaves like the web client across failures: when its socket drops it reconnects (with
 * the same user id), rejoins its rooms with `since` = the last id it saw, and resends unacked messages
 * with their `clientMsgId`. It records every message it was shown, so a test can count losses and repeats.
 */
export class ResilientClient {
  /** Every room message shown to this user, in arrival order, recovered ones included. */
  readonly shown: Frame['data'][] = [];
  /** Ids of this client's own messages that were acked. */
  readonly acked = new Set<string>();
  /** How many sockets it has opened. */
  sockets = 0;
  private client: TestClient | undefined;
  private readonly lastSeen = new Map<string, string>();
  private readonly unacked = new Map<string, { room: string; text: string }>();
  private sent = 0;
  private reconnecting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    readonly uid: string,
    private readonly rooms: string[],
  ) {}

  /** Connects and joins its rooms. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Sends a message with a fresh clientMsgId; it is resent after reconnects until acked. */
  send(room: string, text: string): void {
    const clientMsgId = `${this.uid}-${(this.sent += 1)}`;
    this.unacked.set(clientMsgId, { room, text });
    this.transmit(clientMsgId);
  }

  /** Resolves once every message it sent is acked. */
  async allAcked(timeoutMs = 15_000): Promise<void> {
    await waitFor(
      () => this.unacked.size === 0,
      `${this.uid}'s ${this.unacked.size} unacked messages`,
      timeoutMs,
    );
  }

  /** Ids shown more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    return this.shown.map((m) => m.id as string).filter((id) => seen.has(id) || !seen.add(id));
  }

  /** Stops reconnecting and closes the socket. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }

  private transmit(clientMsgId: string): void {
    const pending = this.unacked.get(clientMsgId);
    if (!pending || !this.client?.isOpen) return;
    this.client.send('message', { ...pending, clientMsgId, ref: clientMsgId });
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        this.client = await TestClient.connect(this.url, {
          query: { uid: this.uid, name: this.uid },
          timeoutMs: 5000,
        });
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.sockets += 1;
    const client = this.client;
    client.socket.on('message', (raw: Buffer) => this.onFrame(JSON.parse(raw.toString()) as Frame));
    client.socket.once('close', () => {
      if (!this.stopped) this.reconnecting = this.connect();
    });
    for (const room of this.rooms) {
      const since = this.lastSeen.get(room);
      client.send('join', since ? { room, since } : { room });
    }
    await waitFor(() => this.joinedAll(client), `${this.uid} to rejoin ${this.rooms.join(', ')}`);
    for (const clientMsgId of this.unacked.keys()) this.transmit(clientMsgId);
  }

  private joinedCount = new WeakMap<TestClient, number>();

  private joinedAll(client: TestClient): boolean {
    return (this.joinedCount.get(client) ?? 0) >= this.rooms.length;
  }

  private onFrame(frame: Frame): void {
    if (frame.event === 'joined') {
      if (this.client)
        this.joinedCount.set(this.client, (this.joinedCount.get(this.client) ?? 0) + 1);
      for (const message of frame.data.messages as Frame['data'][]) this.show(message);
    } else if (frame.event === 'message') {
      this.show(frame.data);
    } else if (frame.event === 'ack' && typeof frame.data.ref === 'string') {
      this.acked.add(frame.data.id as string);
      this.unacked.delete(frame.data.ref);
    }
  }

  private show(message: Frame['data']): void {
    // A client dedupes what it was already shown; the test counts what reached it, so it records all.
    this.shown.push(message);
    this.lastSeen.set(message.room as string, message.id as string);
  }
}
