import type {
  Conversation,
  ConversationName,
  DirectMessage,
  User,
} from '../protocol/chat.events.js';

/** What a `read` made of the user's read pointer, or why it did not apply. */
export type ReadOutcome =
  | {
      kind: 'read';
      /** The pointer after the read: the message read, or a later one it was already at. */
      id: string;
      /** Messages after the pointer. */
      unread: number;
      /** Whether the pointer moved (a read at or before it changes nothing). */
      moved: boolean;
    }
  /** The id names no message of that conversation. */
  | { kind: 'not-found' }
  /** A room the user never joined. */
  | { kind: 'not-member' };

/**
 * Conversations and read state, kept by a database only (bound to null without one, where the events
 * that need it answer `unavailable`): DM history, the conversation list, read pointers and unread counts.
 */
export abstract class ConversationStore {
  /** Up to `limit` messages of the DM conversation of two users older than `before` (or the latest), oldest first. */
  abstract directPage(
    userId: string,
    otherId: string,
    before: string | undefined,
    limit: number,
  ): Promise<DirectMessage[]>;
  /** Records that a user joined a room; the first time, their read pointer goes to its last message. */
  abstract recordJoin(user: User, room: string): Promise<void>;
  /** The user's conversations (DMs, rooms joined at least once), most recent activity first, at most `limit`. */
  abstract list(userId: string, limit: number): Promise<Conversation[]>;
  /** Moves the user's read pointer in a conversation forward to message `id`. */
  abstract read(
    user: User,
    conversation: ConversationName,
    id: string,
    isPrivate: boolean,
  ): Promise<ReadOutcome>;
}
