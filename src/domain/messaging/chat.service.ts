import { Inject, Injectable } from '@nestjs/common';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ChatException } from '../chat.exception.js';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { Broker } from '../../engine/broker.js';
import {
  MessageStore,
  type ConversationRef,
  type PendingSend,
  type StoredSend,
} from '../../engine/message-store.js';
import { ModerationService } from '../moderation/moderation.service.js';
import type { ChatSession } from '../session.js';
import type { ServerEvents, User } from '../../protocol/chat.events.js';
import { WriteQueue } from './write-queue.js';

/** Who a message is from: the user shown as `from` and, for a client's send, its connection (which the fan-out skips). */
export interface Sender {
  readonly user: User;
  readonly id?: string;
}

/** The origin of a send no connection made (the server's): no connection id looks like it, so none is skipped. */
const NO_CONNECTION = 'server';

/** Sends: room messages and direct messages through the write queue, typing straight to the broker. */
@Injectable()
export class ChatService {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly queue: WriteQueue,
    private readonly broker: Broker,
    private readonly store: MessageStore,
    private readonly moderation: ModerationService,
  ) {}

  /**
   * A client's room message: trimmed and checked, then (only then) its slot in the room's slow mode taken,
   * stored and fanned out; resolves with the ack once stored (the first ack again for a resend).
   */
  async sendToRoom(
    connection: ChatSession,
    room: string,
    text: string,
    clientMsgId?: string,
  ): Promise<ServerEvents['ack']> {
    const send = this.roomSend(connection, room, this.checked(text), clientMsgId);
    let stored: StoredSend | undefined;
    try {
      const slot = this.moderation.takeSendSlot(connection.identity, room);
      if (slot) await slot;
    } catch (refusal) {
      stored = await this.earlierOr(refusal, send);
    }
    stored ??= await this.queue.enqueue(send);
    const { id, ts } = stored.message;
    return { id, room: stored.kind === 'room' ? stored.message.room : room, ts };
  }

  /**
   * A send refused its slow-mode slot that is a resend (its first send took the slot) gets what the first
   * stored, as the store gives any resend; any other send, or a resend the store cannot find, stays refused.
   */
  private async earlierOr(refusal: unknown, send: PendingSend): Promise<StoredSend> {
    if (send.dedupeKey === undefined) throw refusal;
    const earlier = await this.store.earlierSend(send).catch(() => undefined);
    if (!earlier) throw refusal;
    return earlier;
  }

  /** Stores and delivers a direct message, trimmed, to every socket of `to` and the sender's other sockets. */
  async sendDirect(
    connection: ChatSession,
    to: string,
    text: string,
    clientMsgId?: string,
  ): Promise<ServerEvents['ack']> {
    const stored = await this.postDirect(connection, to, text, clientMsgId);
    return { id: stored.message.id, ts: stored.message.ts };
  }

  /**
   * The one path of every room message, a client's or the server's: trimmed, checked, through the write
   * queue; resolves with what was stored (for a resend of `clientMsgId` by the same user, the first
   * message, marked duplicate). The sender's own connection, if any, does not get it.
   */
  async postToRoom(
    sender: Sender,
    room: string,
    text: string,
    clientMsgId?: string,
  ): Promise<StoredSend> {
    return this.queue.enqueue(this.roomSend(sender, room, this.checked(text), clientMsgId));
  }

  private roomSend(
    sender: Sender,
    room: string,
    text: string,
    clientMsgId: string | undefined,
  ): PendingSend {
    return {
      kind: 'room',
      room,
      from: sender.user,
      text,
      dedupeKey: dedupeKey(sender.user, clientMsgId),
      clientMsgId,
      origin: sender.id ?? NO_CONNECTION,
    };
  }

  /** The one path of every direct message, as `postToRoom` is for rooms; the sender's other sockets get it too. */
  async postDirect(
    sender: Sender,
    to: string,
    text: string,
    clientMsgId?: string,
  ): Promise<StoredSend> {
    return this.queue.enqueue({
      kind: 'dm',
      to,
      from: sender.user,
      text: this.checked(text),
      dedupeKey: dedupeKey(sender.user, clientMsgId),
      clientMsgId,
      origin: sender.id ?? NO_CONNECTION,
    });
  }

  /**
   * Edits one of the user's own messages (text trimmed, as for a send): stored as an entry of the
   * conversation's log and applied to the message; resolves with the ack once committed, after which the
   * conversation's other sockets get `edited`.
   */
  async edit(
    connection: ChatSession,
    conversation: ConversationRef,
    id: string,
    text: string,
  ): Promise<ServerEvents['ack']> {
    return this.change(connection, conversation, id, this.checked(text));
  }

  /**
   * Deletes one of the user's own messages (anyone's, for a moderator of the room: `anyAuthor`), its text
   * gone from the database; `deleted` goes to the others, `from` the one who deleted it.
   */
  async delete(
    connection: ChatSession,
    conversation: ConversationRef,
    id: string,
    anyAuthor = false,
  ): Promise<ServerEvents['ack']> {
    return this.change(connection, conversation, id, null, anyAuthor);
  }

  /** Deletes any message of a room as `sender` (the server's moderation): the room's sockets get `deleted`. */
  async deleteInRoom(sender: Sender, room: string, id: string): Promise<ServerEvents['ack']> {
    return this.enqueueChange(sender, { room }, id, null, true);
  }

  private async change(
    connection: ChatSession,
    conversation: ConversationRef,
    target: string,
    text: string | null,
    anyAuthor = false,
  ): Promise<ServerEvents['ack']> {
    if ('room' in conversation && !connection.rooms.has(conversation.room)) {
      throw new ChatException(ChatErrorCode.NotInRoom, `join "${conversation.room}" first`);
    }
    return this.enqueueChange(connection, conversation, target, text, anyAuthor);
  }

  private async enqueueChange(
    sender: Sender,
    conversation: ConversationRef,
    target: string,
    text: string | null,
    anyAuthor: boolean,
  ): Promise<ServerEvents['ack']> {
    if (!this.store.keepsChanges) {
      throw new ChatException(ChatErrorCode.Unavailable, 'needs a database (DATABASE_URL)');
    }
    const stored = await this.queue.enqueue({
      kind: text === null ? 'delete' : 'edit',
      conversation,
      target,
      from: sender.user,
      text,
      origin: sender.id ?? NO_CONNECTION,
      ...(anyAuthor && { anyAuthor }),
    });
    return stored.room === undefined
      ? { id: stored.id, ts: stored.ts }
      : { id: stored.id, room: stored.room, ts: stored.ts };
  }

  /** Tells the room's other sockets that this user is typing; never stored. */
  async typing(connection: ChatSession, room: string): Promise<void> {
    await this.broker.publish([
      {
        target: 'room',
        room,
        event: 'typing',
        data: { room, user: connection.user },
        exclude: connection.id,
      },
    ]);
  }

  /** The text trimmed, once it is known to fit MAX_TEXT_LENGTH. */
  private checked(text: string): string {
    const trimmed = text.trim();
    this.checkLength(trimmed);
    return trimmed;
  }

  private checkLength(text: string): void {
    const max = this.config.MAX_TEXT_LENGTH;
    // UTF-16 length bounds the code point count from above, so most texts skip the count.
    if (text.length > max && codePointLength(text) > max) {
      throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
        { field: 'text', errors: [`text must be at most ${max} characters`] },
      ]);
    }
  }
}

/** The memory and Redis engines' dedupe key: the sender and their `clientMsgId` (a database keys the same pair). */
function dedupeKey(user: User, clientMsgId: string | undefined): string | undefined {
  return clientMsgId === undefined ? undefined : `${user.id.length}:${user.id}:${clientMsgId}`;
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}
