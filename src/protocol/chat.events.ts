import type { ChatErrorCode } from './chat-error-code.js';

/** A user as every client sees one. */
export interface User {
  id: string;
  name: string;
}

/** A stored room message, as delivered in `message`, `joined` and `history` (the last two in its current state). */
export interface ChatMessage {
  id: string;
  room: string;
  from: User;
  /** The current text; `""` once deleted. */
  text: string;
  ts: number;
  /** When it was last edited, if it was. */
  editedAt?: number;
  /** Present once the author deleted it. */
  deleted?: true;
}

/** A direct message, delivered to every socket of `to` and the sender's other sockets. */
export interface DirectMessage {
  id: string;
  from: User;
  to: string;
  /** The current text; `""` once deleted. */
  text: string;
  ts: number;
  /** When it was last edited, if it was. */
  editedAt?: number;
  /** Present once the author deleted it. */
  deleted?: true;
}

/** A message a recovering client already has that changed after its `since`: its current state. */
export interface MessageChange {
  id: string;
  action: 'edited' | 'deleted';
  /** The new text of an edited message. */
  text?: string;
  /** When it was edited or deleted. */
  at: number;
}

/**
 * Names one conversation: a room by its name, or the direct conversation with another user by that
 * user's id (from the reader's side: `with` is always the other one).
 */
export type ConversationName = { room: string; with?: never } | { with: string; room?: never };

/** One entry of `conversations`: a DM conversation or a room joined at least once, with its read state. */
export interface Conversation {
  /** The room, for a room. */
  room?: string;
  /** The other user, for a DM conversation. */
  with?: User;
  /** The conversation's last message, in its current state; absent while it has none. */
  last?: ChatMessage | DirectMessage;
  /** Messages after the user's read pointer. */
  unread: number;
  /** The last message the user has read; absent when they have read none. */
  readId?: string;
  /** When the conversation last had an entry (or was joined, while it has none), ms since the epoch. */
  activeAt: number;
}

/** Every event the server sends, with its payload: the typed half of the wire contract. */
export interface ServerEvents {
  joined: {
    room: string;
    members: User[];
    messages: ChatMessage[];
    recovered: boolean;
    /** With `since`: edits and deletions after it of messages at or before it (recovered joins only). */
    changes?: MessageChange[];
    ref?: string;
  };
  left: { room: string; ref?: string };
  ack: { id: string; room?: string; ts: number; ref?: string };
  history:
    | { room: string; messages: ChatMessage[]; ref?: string }
    | { with: string; messages: DirectMessage[]; ref?: string };
  conversations: { items: Conversation[]; ref?: string };
  read: ConversationName & { id: string; unread: number; ref?: string };
  receipt: ConversationName & { user: User; id: string };
  members: { room: string; members: User[]; count: number; ref?: string };
  message: ChatMessage;
  dm: DirectMessage;
  presence: { room: string; user: User; action: 'join' | 'leave' };
  typing: { room: string; user: User };
  /** A message edited by its author: `room` for a room, `to` (the other user) for a DM. */
  edited: { room?: string; to?: string; id: string; text: string; editedAt: number; from: User };
  /** A message deleted by its author: `room` for a room, `to` (the other user) for a DM. */
  deleted: { room?: string; to?: string; id: string; deletedAt: number; from: User };
  error: { code: ChatErrorCode; message: string; ref?: string; details?: unknown };
  /**
   * A moderator's action: the reply to `ban`, `unban`, `mute`, `unmute` and `slowmode` (with `ref`), and
   * the notice of a room's actions to its sockets (without). `until` is absent for one until lifted.
   */
  moderation: ModerationNotice & { ref?: string };
  /** To every socket of the user a moderator acted on: what now applies to them, and until when. */
  moderated: {
    action: 'banned' | 'unbanned' | 'muted' | 'unmuted';
    /** The room; absent for the whole service. */
    room?: string;
    /** When it ends (ms since the epoch); absent until lifted, and for an end. */
    until?: number;
    reason?: string;
  };
  /** The reply to `ping`: the connection is alive. */
  pong: { ref?: string };
}

/** What a moderator did, as the room and the moderator are told. */
export interface ModerationNotice {
  action: 'ban' | 'unban' | 'mute' | 'unmute' | 'slowmode';
  /** The room; absent for a ban or unban from the whole service. */
  room?: string;
  /** The user acted on (not for `slowmode`). */
  userId?: string;
  /** When a ban or mute ends (ms since the epoch); absent: until lifted. */
  until?: number;
  reason?: string;
  /** `slowmode`: the seconds between two messages of a user (0: off). */
  seconds?: number;
}

/** Names of the events a client may send (the handlers of `ChatGateway`). */
export const ClientEvent = {
  Join: 'join',
  Leave: 'leave',
  Message: 'message',
  Dm: 'dm',
  Typing: 'typing',
  History: 'history',
  Members: 'members',
  Edit: 'edit',
  Delete: 'delete',
  Conversations: 'conversations',
  Read: 'read',
  Ban: 'ban',
  Unban: 'unban',
  Mute: 'mute',
  Unmute: 'unmute',
  SlowMode: 'slowmode',
  Ping: 'ping',
} as const;

/**
 * Every event a client may send, with its `data` (`ref`, echoed on every reply, left out here): the other
 * typed half of the wire contract, as the gateway's DTOs validate it.
 */
export interface ClientEvents {
  join: { room: string; since?: string };
  leave: { room: string };
  message: { room: string; text: string; clientMsgId?: string };
  dm: { to: string; text: string; clientMsgId?: string };
  typing: { room: string };
  history: ConversationName & { before?: string; limit?: number };
  members: { room: string };
  edit: ConversationName & { id: string; text: string };
  delete: ConversationName & { id: string };
  conversations: { limit?: number };
  read: ConversationName & { id: string; private?: boolean };
  ban: { userId: string; room?: string; durationMs?: number; reason?: string };
  unban: { userId: string; room?: string };
  mute: { userId: string; room: string; durationMs?: number; reason?: string };
  unmute: { userId: string; room: string };
  slowmode: { room: string; seconds: number };
  /** Nothing: it only asks for `pong`, to prove the connection alive. */
  ping: Record<string, never>;
}

/** The event that answers each client event (`typing` has none); any of them may be answered by `error`. */
export interface ClientReplies {
  join: 'joined';
  leave: 'left';
  message: 'ack';
  dm: 'ack';
  history: 'history';
  members: 'members';
  edit: 'ack';
  delete: 'ack';
  conversations: 'conversations';
  read: 'read';
  ban: 'moderation';
  unban: 'moderation';
  mute: 'moderation';
  unmute: 'moderation';
  slowmode: 'moderation';
  ping: 'pong';
}

/** One outgoing frame: what a handler returns to reply, and what the broker carries. */
export interface ServerFrame<E extends keyof ServerEvents = keyof ServerEvents> {
  event: E;
  data: ServerEvents[E];
}

/** Builds a typed reply frame. */
export function reply<E extends keyof ServerEvents>(
  event: E,
  data: ServerEvents[E],
): ServerFrame<E> {
  return { event, data };
}
