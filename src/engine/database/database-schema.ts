import type { Generated } from 'kysely';

/** What a conversation is: a room, or the direct messages between two users. */
export type ConversationKind = 'room' | 'dm';

/** What a row of `messages` records: a message, or an edit or deletion of an earlier one (`target_seq`). */
export type MessageKind = 'message' | 'edit' | 'delete';

/** `conversations`: one row per room and per pair of users who exchanged direct messages. */
export interface ConversationsTable {
  /** `room:<name>` or `dm:<length of a>:<a>:<b>` (see `conversation-key.ts`). */
  key: string;
  kind: ConversationKind;
  /** Random per conversation, the first part of its message ids; kept across restarts. */
  epoch: string;
  /** Sequence number of the last row of `messages`, of any kind. */
  last_seq: number;
  /** Rows of kind 'message' (not edits or deletions): what unread counts count. */
  message_count: number;
  /** The two users of a direct conversation (sorted); null for rooms. */
  member_a: string | null;
  member_b: string | null;
  /** Milliseconds since the epoch. */
  created_at: number;
  /** When the last row of `messages` was stored (its creation while it has none), ms since the epoch. */
  active_at: number;
}

/** `messages`: every message of every conversation, by (conversation, seq). */
export interface MessagesTable {
  conversation: string;
  seq: number;
  kind: MessageKind;
  /** The message an edit or deletion applies to. */
  target_seq: number | null;
  sender_id: string;
  sender_name: string;
  /** Null for a deletion, for a deleted message, and for the edit entries of a deleted message. */
  text: string | null;
  /** When it was stored, milliseconds since the epoch. */
  ts: number;
  /** The sender's idempotency key; unique per sender. */
  client_msg_id: string | null;
  /** Position among the conversation's rows of kind 'message' (1, 2, …); null for edits and deletions. */
  ordinal: number | null;
  /** When a message was last edited (its `text` is then the edited one); null otherwise. */
  edited_at: Generated<number | null>;
  /** When a message was deleted (its `text` is then null); null otherwise. */
  deleted_at: Generated<number | null>;
}

/** `read_pointers`: how far each user has read each conversation. */
export interface ReadPointersTable {
  user_id: string;
  conversation: string;
  seq: number;
  ordinal: number;
  /** A private pointer is not shown to the other members (SQLite stores and reads 0/1). */
  private: Generated<boolean | number>;
  /** The user's name when they last sent or read here, or first joined (a DM lists the other user by it); null if never. */
  user_name: string | null;
  updated_at: number;
}

/** `moderation_entries`: the bans, mutes and slow modes in force (see `ModerationEntry`). */
export interface ModerationEntriesTable {
  /** `moderationKeyString` of the entry: kind, scope and user. */
  key: string;
  kind: 'ban' | 'mute' | 'slowmode';
  /** A room, or `*` for the whole service. */
  scope: string;
  /** `''` for a slow mode. */
  user_id: string;
  /** When it ends, ms since the epoch; null: until lifted. */
  until: number | null;
  reason: string | null;
  /** Slow mode's ms between two messages of a user. */
  interval_ms: number | null;
  set_by: string;
  set_at: number;
}

/** The tables Kysely types its queries against. */
export interface DatabaseSchema {
  conversations: ConversationsTable;
  messages: MessagesTable;
  read_pointers: ReadPointersTable;
  moderation_entries: ModerationEntriesTable;
}
