import WebSocket from 'ws';
import {
  SwitchboardClient,
  type ChatMessage,
  type ConnectionState,
  type JoinedEvent,
  type ServerEvents,
  type SwitchboardClientOptions,
} from '../../packages/client/src/index.js';
import { nameOf } from './users.js';
import { waitFor } from './wait-for.mjs';

/** How long a user's waits last before their error names what they waited for. */
const WAIT_MS = 15_000;

/**
 * A user on the SDK (`@switchboard/client` over `ws`), as an app would run it, recording what it showed:
 * every room message (recovered ones included, in arrival order), every state, every ack. In dev mode it
 * connects as `asUser(uid)` does; `options` add to that (a `getToken`, a `query` of their own).
 */
export class SdkUser {
  /** Every room message shown, in the order shown. */
  readonly shown: ChatMessage[] = [];
  /** Every connection state, in order. */
  readonly states: ConnectionState[] = [];
  /** Every `joined` of its rooms (first joins and rejoins), in order. */
  readonly joins: JoinedEvent[] = [];
  /** The acks of this user's sends, in the order they came. */
  readonly acks: Array<ServerEvents['ack']> = [];
  readonly client: SwitchboardClient;
  private readonly sending: Array<Promise<unknown>> = [];

  constructor(
    url: string,
    readonly uid: string,
    options: Partial<SwitchboardClientOptions> = {},
  ) {
    this.client = new SwitchboardClient({
      url,
      WebSocket,
      query: options.getToken ? undefined : { uid, name: nameOf(uid) },
      ...options,
    });
    this.client.on('state', (state) => this.states.push(state));
    this.client.on('message', (message) => this.shown.push(message));
  }

  /** Connects and joins `rooms`, resolving once every room is joined. */
  async start(rooms: string[] = []): Promise<this> {
    this.client.connect();
    await this.client.connected();
    await Promise.all(rooms.map((room) => this.join(room)));
    return this;
  }

  /** Joins a room; resolves once joined. Messages of its `joined` replies count as shown. */
  async join(room: string): Promise<void> {
    const subscription = this.client.join(room);
    subscription.on('joined', (joined) => {
      this.joins.push(joined);
      this.shown.push(...joined.messages);
    });
    await subscription.ready();
  }

  /** Sends through the outbox; its ack is recorded when it comes. */
  send(room: string, text: string): void {
    const acked = this.client.send(room, text).then((ack) => this.acks.push(ack));
    // Handled here as well as by `allAcked`: a send still pending when a failing test closes the client
    // rejects with client_closed, which must not surface as an unhandled rejection over the real error.
    acked.catch(() => undefined);
    this.sending.push(acked);
  }

  /** Resolves once every send is acked; rejects with the first refusal, or after the timeout. */
  async allAcked(timeoutMs = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${this.uid}'s sends' acks`),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.all(this.sending), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Texts of the messages from `uid` shown to this user, in the order shown. */
  textsFrom(uid: string): string[] {
    return this.shown.filter((m) => m.from.id === uid).map((m) => m.text);
  }

  /** Ids shown more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    return this.shown.map((m) => m.id).filter((id) => seen.has(id) || !seen.add(id));
  }

  /** How many times it was connected. */
  get connections(): number {
    return this.states.filter((s) => s.status === 'connected').length;
  }

  /** Waits until `count` messages from `uid` were shown. */
  async shownFrom(uid: string, count: number, timeoutMs = WAIT_MS): Promise<void> {
    await waitFor(
      () => this.textsFrom(uid).length >= count,
      `${this.uid} to be shown ${count} messages from ${uid}`,
      timeoutMs,
    );
  }

  /** Waits for a state matching `match`, seen since the start. */
  async reached(
    match: (state: ConnectionState) => boolean,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<void> {
    await waitFor(() => this.states.some(match), `${this.uid} to reach ${what}`, timeoutMs);
  }

  /** Closes it for good. */
  stop(): void {
    this.client.close();
  }
}
