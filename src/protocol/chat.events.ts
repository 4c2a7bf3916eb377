import type { ChatErrorCode } from './chat-error-code.js';

/** A user as every client sees one. */
export interface User {
  id: string;
  name: string;
}

/** A stored room message, as delivered in `message`, `joined` and `history`. */
export interface ChatMessage {
  id: string;
  room: string;
  from: User;
  text: string;
  ts: number;
}

/** A direct message, delivered to every socket of `to` and the sender's other sockets. */
export interface DirectMessage {
  id: string;
  from: User;
  to: string;
  text: string;
  ts: number;
}

/** Every event the server sends, with its payload: the typed half of the wire contract. */
export interface ServerEvents {
  joined: {
    room: string;
    members: User[];
    messages: ChatMessage[];
    recovered: boolean;
    ref?: string;
  };
  left: { room: string; ref?: string };
  ack: { id: string; room?: string; ts: number; ref?: string };
  history: { room: string; messages: ChatMessage[]; ref?: string };
  members: { room: string; members: User[]; count: number; ref?: string };
  message: ChatMessage;
  dm: DirectMessage;
  presence: { room: string; user: User; action: 'join' | 'leave' };
  typing: { room: string; user: User };
  error: { code: ChatErrorCode; message: string; ref?: string; details?: unknown };
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
} as const;

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
