import type { ChatMessage, ClientEvents, ServerEvents } from '../../../src/protocol/chat.events.js';
import { Emitter } from './emitter.js';
import type { SwitchboardError } from './switchboard-error.js';

/**
 * A room's state on this client: `joining` until the server's `joined` (again after every reconnect),
 * `joined`, `failed` when the server refused the join for good (`forbidden`, `validation_failed`), `left`.
 */
export type RoomState = 'joining' | 'joined' | 'failed' | 'left';

/** A `joined` reply, with what the client asked for. */
export type JoinedEvent = ServerEvents['joined'] & {
  /** The last message id the client had seen when it (re)joined, sent as `since`. */
  since?: string;
  /**
   * True when the client asked to recover (`since`) and the server could not (`recovered: false`): the
   * messages shown may miss some, so reload the room from `messages` (and `history` before them).
   */
  gap: boolean;
};

/** Events of one room subscription. */
export interface RoomEvents {
  state: RoomState;
  /** Every (re)join; after a recovered rejoin `messages` holds only what this client had not seen. */
  joined: JoinedEvent;
  /** A live message of another socket, once per id. */
  message: ChatMessage;
  presence: ServerEvents['presence'];
  typing: ServerEvents['typing'];
  edited: ServerEvents['edited'];
  deleted: ServerEvents['deleted'];
  /** A moderator's action in the room: a ban, mute or slow mode (the server's `moderation` notice). */
  moderation: ServerEvents['moderation'];
  /** The join was refused for good. */
  error: SwitchboardError;
}

/** What a room subscription asks of its client. */
export interface RoomHost {
  sendTo(room: string, text: string): Promise<ServerEvents['ack']>;
  request<E extends 'history' | 'members'>(
    event: E,
    data: ClientEvents[E] & { room: string },
  ): Promise<ServerEvents[E]>;
  typing(room: string): void;
  leave(room: string): Promise<void>;
}

/** How many message ids a room remembers to drop repeats (recovered rejoins, own acked messages). */
const SEEN_IDS = 1000;

/**
 * One room on this client: its own state, the last message id seen (sent as `since` on rejoin), and its
 * events. Created by `SwitchboardClient.join`; rejoined by the client after every reconnect.
 */
export class RoomSubscription extends Emitter<RoomEvents> {
  private current: RoomState = 'joining';
  private last: string | undefined;
  private snapshot: JoinedEvent | undefined;
  private readonly seen = new Set<string>();

  /** @internal */
  constructor(
    /** The room's name. */
    readonly name: string,
    private readonly host: RoomHost,
  ) {
    super();
  }

  /** The subscription's state. */
  get state(): RoomState {
    return this.current;
  }

  /** The id of the last message of this room the client saw, sent as `since` when it rejoins. */
  get lastId(): string | undefined {
    return this.last;
  }

  /** Resolves with the next `joined` (at once with the current one while joined); rejects if the join fails. */
  ready(): Promise<JoinedEvent> {
    if (this.current === 'joined' && this.snapshot) return Promise.resolve(this.snapshot);
    return new Promise((resolve, reject) => {
      const offJoined = this.once('joined', (joined) => {
        offError();
        resolve(joined);
      });
      const offError = this.once('error', (error) => {
        offJoined();
        reject(error);
      });
    });
  }

  /** Sends a message through the outbox: resolves with its `ack` once it reached the room, exactly once. */
  send(text: string): Promise<ServerEvents['ack']> {
    return this.host.sendTo(this.name, text);
  }

  /** A page of older messages (oldest first) before `before`, the oldest id the app shows; waits for a rejoin under way. */
  history(options: { before?: string; limit?: number } = {}): Promise<ServerEvents['history']> {
    return this.host.request('history', { room: this.name, ...options });
  }

  /** Who is in the room now; waits for a rejoin under way. */
  members(): Promise<ServerEvents['members']> {
    return this.host.request('members', { room: this.name });
  }

  /** Tells the room this user is typing (dropped while disconnected). */
  typing(): void {
    this.host.typing(this.name);
  }

  /** Leaves the room; the subscription ends. */
  leave(): Promise<void> {
    return this.host.leave(this.name);
  }

  /** @internal */
  setState(state: RoomState): void {
    if (this.current === state || this.current === 'left') return;
    this.current = state;
    this.emit('state', state);
  }

  /** @internal Applies a `joined` reply to a join sent with `since`. */
  applyJoined(data: ServerEvents['joined'], since: string | undefined): void {
    const recovered = since !== undefined && data.recovered;
    // A fresh snapshot replaces what the app shows; a recovery adds to it, so repeats are dropped.
    if (!recovered) this.seen.clear();
    const messages = recovered ? data.messages.filter((m) => !this.seen.has(m.id)) : data.messages;
    for (const message of data.messages) this.remember(message.id);
    const newest = data.messages.at(-1)?.id;
    // Without recovery an old `since` means nothing any more (the room may have started over).
    if (newest !== undefined || !recovered) this.last = newest;
    this.snapshot = { ...data, messages, since, gap: since !== undefined && !data.recovered };
    this.setState('joined');
    this.emit('joined', this.snapshot);
  }

  /** @internal Whether a live message is new here (then it is recorded and emitted). */
  deliverMessage(message: ChatMessage): boolean {
    if (this.seen.has(message.id)) return false;
    this.remember(message.id);
    this.last = message.id;
    this.emit('message', message);
    return true;
  }

  /** @internal Records the id of an own message the server acked, so a recovery does not show it again. */
  acked(id: string): void {
    this.remember(id);
  }

  /** @internal */
  deliver<E extends 'presence' | 'typing' | 'edited' | 'deleted' | 'moderation'>(
    event: E,
    data: RoomEvents[E],
  ): void {
    this.emit(event, data);
  }

  /** @internal The join was refused for good. */
  fail(error: SwitchboardError): void {
    this.setState('failed');
    this.emit('error', error);
  }

  private remember(id: string): void {
    this.seen.delete(id);
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
  }
}
