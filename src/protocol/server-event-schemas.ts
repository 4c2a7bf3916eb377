import type {
  ChatMessage,
  Conversation,
  DirectMessage,
  MessageChange,
  ServerEvents,
  User,
} from './chat.events.js';
import { ChatErrorCode } from './chat-error-code.js';
import { ERROR_CODE_MEANINGS } from './code-meanings.js';
import { objectSchema, optional, type JsonSchema } from './json-schema.js';
import { MAX_REF_LENGTH, ROOM_NAME } from './limits.js';

const text: JsonSchema = { type: 'string' };
const ms: JsonSchema = { type: 'integer', description: 'ms since the epoch' };
const room: JsonSchema = { type: 'string', pattern: ROOM_NAME.source };
const ref = optional({
  type: 'string',
  maxLength: MAX_REF_LENGTH,
  description: "the request's `ref`, on every reply to it",
});
const deleted = optional({ const: true, description: 'present once the author deleted it' });
const editedAt = optional({ ...ms, description: 'when it was last edited, if it was' });

const user = objectSchema<User>({ id: text, name: text }, { title: 'User' });

const chatMessage = objectSchema<ChatMessage>(
  {
    id: text,
    room,
    from: user,
    text: { type: 'string', description: 'the current text; "" once deleted' },
    ts: ms,
    editedAt,
    deleted,
  },
  { title: 'ChatMessage', description: 'a stored room message' },
);

const directMessage = objectSchema<DirectMessage>(
  {
    id: text,
    from: user,
    to: { type: 'string', description: "the recipient's user id" },
    text: { type: 'string', description: 'the current text; "" once deleted' },
    ts: ms,
    editedAt,
    deleted,
  },
  { title: 'DirectMessage', description: 'a stored direct message' },
);

const messageChange = objectSchema<MessageChange>(
  {
    id: text,
    action: { type: 'string', enum: ['edited', 'deleted'] },
    text: optional({ type: 'string', description: 'the new text of an edited message' }),
    at: ms,
  },
  { title: 'MessageChange' },
);

const conversation = objectSchema<Conversation>(
  {
    room: optional(room),
    with: optional(user),
    last: optional({ oneOf: [chatMessage, directMessage] }),
    unread: { type: 'integer', minimum: 0 },
    readId: optional({ type: 'string', description: 'the last message the user has read' }),
    activeAt: ms,
  },
  { title: 'Conversation' },
);

const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** `data` of a server event, and what the event means. */
export interface ServerEventContract {
  description: string;
  data: JsonSchema;
}

type OneOf<T, K extends PropertyKey> = Extract<T, Record<K, string>>;

/**
 * Every server event with its `data` schema: typed by `ServerEvents`, so the compiler refuses an event
 * without one and a schema whose properties differ from its payload type.
 */
export const SERVER_EVENT_CONTRACTS: { [E in keyof ServerEvents]: ServerEventContract } = {
  joined: {
    description:
      'The reply to `join`: the members, the latest messages or every message after `since`, and whether the gap was recovered.',
    data: objectSchema<ServerEvents['joined']>({
      room,
      members: list(user),
      messages: list(chatMessage),
      recovered: { type: 'boolean' },
      changes: optional({
        ...list(messageChange),
        description: 'with `since`: edits and deletions after it of messages at or before it',
      }),
      ref,
    }),
  },
  left: {
    description: 'The reply to `leave`.',
    data: objectSchema<ServerEvents['left']>({ room, ref }),
  },
  ack: {
    description:
      'The reply to `message`, `dm`, `edit` and `delete`: stored (committed, with a database).',
    data: objectSchema<ServerEvents['ack']>({ id: text, room: optional(room), ts: ms, ref }),
  },
  history: {
    description:
      'The reply to `history`: a page of a room or DM conversation, oldest first, in its current state.',
    data: {
      oneOf: [
        objectSchema<OneOf<ServerEvents['history'], 'room'>>({
          room,
          messages: list(chatMessage),
          ref,
        }),
        objectSchema<OneOf<ServerEvents['history'], 'with'>>({
          with: text,
          messages: list(directMessage),
          ref,
        }),
      ],
    },
  },
  conversations: {
    description: "The reply to `conversations`: the user's conversations, most recent first.",
    data: objectSchema<ServerEvents['conversations']>({ items: list(conversation), ref }),
  },
  read: {
    description:
      "The reply to `read`, and to the user's other sockets: the read pointer after the move.",
    data: {
      oneOf: [
        objectSchema<OneOf<ServerEvents['read'], 'room'>>({
          room,
          id: text,
          unread: { type: 'integer', minimum: 0 },
          ref,
        }),
        objectSchema<OneOf<ServerEvents['read'], 'with'>>({
          with: text,
          id: text,
          unread: { type: 'integer', minimum: 0 },
          ref,
        }),
      ],
    },
  },
  receipt: {
    description: "Another member read the conversation up to `id` (`with` is the reader's id).",
    data: {
      oneOf: [
        objectSchema<OneOf<ServerEvents['receipt'], 'room'>>({ room, user, id: text }),
        objectSchema<OneOf<ServerEvents['receipt'], 'with'>>({ with: text, user, id: text }),
      ],
    },
  },
  members: {
    description: 'The reply to `members`: who is in the room (empty past PRESENCE_MAX_MEMBERS).',
    data: objectSchema<ServerEvents['members']>({
      room,
      members: list(user),
      count: { type: 'integer', minimum: 0 },
      ref,
    }),
  },
  message: {
    description: 'A room message, to every other socket in the room.',
    data: chatMessage,
  },
  dm: {
    description: "A direct message, to every socket of `to` and the sender's other sockets.",
    data: directMessage,
  },
  presence: {
    description: "A user's first socket joined or last socket left the room.",
    data: objectSchema<ServerEvents['presence']>({
      room,
      user,
      action: { type: 'string', enum: ['join', 'leave'] },
    }),
  },
  typing: {
    description: 'A user is typing in the room; never stored.',
    data: objectSchema<ServerEvents['typing']>({ room, user }),
  },
  edited: {
    description:
      'A message edited by its author: `room` for a room, `to` (the other user) for a DM.',
    data: objectSchema<ServerEvents['edited']>({
      room: optional(room),
      to: optional(text),
      id: text,
      text,
      editedAt: ms,
      from: user,
    }),
  },
  deleted: {
    description:
      'A message deleted by its author: `room` for a room, `to` (the other user) for a DM.',
    data: objectSchema<ServerEvents['deleted']>({
      room: optional(room),
      to: optional(text),
      id: text,
      deletedAt: ms,
      from: user,
    }),
  },
  moderation: {
    description:
      "A moderator's action: the reply to `ban`, `unban`, `mute`, `unmute` and `slowmode`, and (without `ref`) the notice of a room's actions to the sockets in it.",
    data: objectSchema<ServerEvents['moderation']>({
      action: { type: 'string', enum: ['ban', 'unban', 'mute', 'unmute', 'slowmode'] },
      room: optional({ ...room, description: 'absent for the whole service' }),
      userId: optional({ ...text, description: 'the user acted on' }),
      until: optional({ ...ms, description: 'when the ban or mute ends; absent: permanent' }),
      reason: optional(text),
      seconds: optional({
        type: 'integer',
        minimum: 0,
        description: 'slow mode: seconds between two messages of a user (0: off)',
      }),
      ref,
    }),
  },
  moderated: {
    description:
      'To every socket of a user a moderator acted on: banned (then removed from the room, or disconnected with 4003 for the service), unbanned, muted or unmuted.',
    data: objectSchema<ServerEvents['moderated']>({
      action: { type: 'string', enum: ['banned', 'unbanned', 'muted', 'unmuted'] },
      room: optional({ ...room, description: 'absent for the whole service' }),
      until: optional({ ...ms, description: 'when it ends; absent: permanent, or an end' }),
      reason: optional(text),
    }),
  },
  pong: {
    description: 'The reply to `ping`: the connection is alive.',
    data: objectSchema<ServerEvents['pong']>({ ref }),
  },
  error: {
    description: 'A request refused or failed; the socket stays open.',
    data: objectSchema<ServerEvents['error']>({
      code: {
        type: 'string',
        oneOf: Object.values(ChatErrorCode).map((code) => ({
          const: code,
          description: ERROR_CODE_MEANINGS[code],
        })),
      },
      message: text,
      ref,
      details: optional({
        description:
          'per-field errors for `validation_failed`, `retryAfterMs` for `rate_limited`, `maxRooms` for `forbidden`, `until` and `reason` for a ban or mute',
      }),
    }),
  },
};
