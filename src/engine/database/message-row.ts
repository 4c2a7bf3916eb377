import type { Kysely } from 'kysely';
import type { ChatMessage, DirectMessage } from '../../protocol/chat.events.js';
import { formatMessageId } from '../message-id.js';
import { ConversationKey } from './conversation-key.js';
import type { ConversationsTable, DatabaseSchema, MessagesTable } from './database-schema.js';

const ROOM_PREFIX = ConversationKey.room('');

/** A stored message row with its conversation's columns: all a wire message is rebuilt from. */
export type MessageRow = Pick<
  MessagesTable,
  'seq' | 'sender_id' | 'sender_name' | 'text' | 'ts' | 'client_msg_id'
> & {
  edited_at: number | null;
  deleted_at: number | null;
} & Pick<ConversationsTable, 'key' | 'kind' | 'epoch' | 'member_a' | 'member_b'>;

/** A message as the wire carries it: a room's, or a direct one. */
export type WireMessage =
  { kind: 'room'; message: ChatMessage } | { kind: 'dm'; message: DirectMessage };

/** Message rows joined with their conversation, selecting exactly what `wireMessageOf` reads. */
export function selectMessageRows(db: Kysely<DatabaseSchema>) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.key', 'm.conversation')
    .select([
      'm.seq',
      'm.sender_id',
      'm.sender_name',
      'm.text',
      'm.ts',
      'm.client_msg_id',
      'm.edited_at',
      'm.deleted_at',
      'c.key',
      'c.kind',
      'c.epoch',
      'c.member_a',
      'c.member_b',
    ]);
}

/**
 * The one place a stored row becomes a wire message (its id, sender, time and current state; the room, or
 * the DM's other user): a field a message gains is added here, for every reply and delivery that reads rows.
 */
export function wireMessageOf(row: MessageRow): WireMessage {
  const common = {
    id: formatMessageId(row.epoch, row.seq),
    from: { id: row.sender_id, name: row.sender_name },
    ts: row.ts,
    ...currentState(row),
  };
  if (row.kind === 'room')
    return { kind: 'room', message: { ...common, room: row.key.slice(ROOM_PREFIX.length) } };
  const to = row.member_a === row.sender_id ? row.member_b! : row.member_a!;
  return { kind: 'dm', message: { ...common, to } };
}

/** A room message row as `message`, `joined` and `history` carry it. */
export function chatMessageOf(row: MessageRow): ChatMessage {
  return wireMessageOf(row).message as ChatMessage;
}

/** A direct message row as `dm` and `history` with `with` carry it. */
export function directMessageOf(row: MessageRow): DirectMessage {
  return wireMessageOf(row).message as DirectMessage;
}

/**
 * What clients see of a message's edits and deletion: its text, `editedAt` once edited, and
 * `deleted: true` with an empty text once deleted (its text is gone from the database).
 */
function currentState(
  row: Pick<MessageRow, 'text' | 'edited_at' | 'deleted_at'>,
): Pick<ChatMessage, 'text' | 'editedAt' | 'deleted'> {
  if (row.deleted_at !== null) return { text: '', deleted: true };
  if (row.edited_at !== null) return { text: row.text ?? '', editedAt: row.edited_at };
  return { text: row.text ?? '' };
}
