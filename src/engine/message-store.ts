import type { ChatMessage, DirectMessage, MessageChange, User } from '../protocol/chat.events.js';
import type { SendRefusal } from './send-refusal.js';

/** A send accepted by a handler and waiting in the write queue. */
export type PendingSend = (
  | { kind: 'room'; room: string; from: User; text: string }
  | { kind: 'dm'; to: string; from: User; text: string }
) & {
  /** Makes the send idempotent: a resend with the same key gets the first result. */
  dedupeKey?: string;
  /** The `clientMsgId` the key was made of, as the client sent it (a database keeps it per sender). */
  clientMsgId?: string;
  /** The sending connection, which the fan-out skips. */
  origin: string;
};

/** A conversation as a change names it: a room, or the DM conversation with the user `with`. */
export type ConversationRef = { room: string } | { with: string };

/** An edit or deletion of one of the author's messages, waiting in the write queue beside the sends. */
export interface PendingChange {
  kind: 'edit' | 'delete';
  conversation: ConversationRef;
  /** The id of the message changed. */
  target: string;
  /** Who changes it: the author, the only one who may, unless `anyAuthor`. */
  from: User;
  /** A moderator's (or the server's) deletion: the message may be anyone's. */
  anyAuthor?: boolean;
  /** The new text of an edit (trimmed); null for a deletion. */
  text: string | null;
  /** The requesting connection, which the fan-out skips. */
  origin: string;
}

/** Anything the write queue hands the store: a send, or a change of an earlier message. */
export type PendingWrite = PendingSend | PendingChange;

/** What the store made of one pending send: the stored message, or the first one if it was a resend. */
export type StoredSend =
  | { kind: 'room'; message: ChatMessage; duplicate: boolean }
  | { kind: 'dm'; message: DirectMessage; duplicate: boolean };

/** A change the store committed: the message it changed (its id and conversation) and when. */
export interface StoredChange {
  kind: 'change';
  action: 'edited' | 'deleted';
  /** The changed message's id. */
  id: string;
  /** The id of the change's own entry in the conversation's log (after every message before it). */
  entry: string;
  /** Its room, for a room message. */
  room?: string;
  /** The time of the change, as `editedAt` or `deletedAt`. */
  ts: number;
}

/** What the store made of one pending write. */
export type StoredWrite = StoredSend | StoredChange;

/** Whether a pending write is a change rather than a send. */
export function isPendingChange(write: PendingWrite): write is PendingChange {
  return write.kind === 'edit' || write.kind === 'delete';
}

/** The sends of a batch, for a store that keeps no changes (the domain never gives it one). */
export function sendsOnly(batch: readonly PendingWrite[]): readonly PendingSend[] {
  if (batch.some(isPendingChange)) throw new Error('edits and deletions need a database');
  return batch as readonly PendingSend[];
}

/** How much a recovery may return. */
export interface RecoveryLimits {
  /** Most messages recovered; a longer gap is not recovered. */
  max: number;
  /** How many of the latest messages to return instead when the gap is not recovered. */
  fallback: number;
}

/** Messages after `since`, and whether they are all of them. */
export interface Recovery {
  messages: ChatMessage[];
  /** False when the store no longer holds every message after `since` (trimmed, or another epoch), or they are too many. */
  recovered: boolean;
  /** Messages at or before `since` edited or deleted after it, each once in its current state (a store that keeps changes, recovered only). */
  changes?: MessageChange[];
}

/** Where messages get their ids and are kept: the memory engine, the Redis streams or a database. */
export abstract class MessageStore {
  /**
   * Stores a batch in order, assigning ids increasing per room, and publishes the new messages (and
   * changes) to every node in that same order (one step, so that publish order equals storage order). A
   * resend of a known dedupe key returns the first result and publishes nothing. A send over the user's
   * rate across all nodes, or a change the store refuses (unknown id, not the author, deleted), comes back
   * as a `SendRefusal` value. Rejects when storage is unreachable. Changes only when `keepsChanges`.
   */
  abstract append(batch: readonly PendingWrite[]): Promise<(StoredWrite | SendRefusal)[]>;
  /**
   * What an earlier send with the same dedupe key stored, marked duplicate, while the store still knows it
   * (the memory and Redis engines for DEDUPE_TTL_MS, a database for good); undefined for a send without a
   * key. For a resend refused before the write queue (a slow mode's slot), which still gets its first ack.
   */
  abstract earlierSend(send: PendingSend): Promise<StoredSend | undefined>;
  /** Whether edits and deletions can be stored (a database); the domain refuses them elsewhere. */
  get keepsChanges(): boolean {
    return false;
  }
  /** The latest `limit` messages of a room, oldest first. */
  abstract latest(room: string, limit: number): Promise<ChatMessage[]>;
  /**
   * Every message after `since` when there are at most `limits.max` of them (reading no more than one past
   * it), else the latest `limits.fallback` with `recovered: false`, as when the gap cannot be closed.
   */
  abstract after(room: string, since: string, limits: RecoveryLimits): Promise<Recovery>;
  /** Up to `limit` messages older than `before`, oldest first. */
  abstract before(room: string, before: string, limit: number): Promise<ChatMessage[]>;
  /**
   * The oldest `limit` messages after `after` up to and including `until`, oldest first: what a node's
   * fan-out missed (a pub/sub gap, or a resubscribe). Empty when the two ids are not of the room's log.
   */
  abstract between(
    room: string,
    after: string,
    until: string,
    limit: number,
  ): Promise<ChatMessage[]>;
  /** Whether id `a` comes after id `b` in the same room. */
  abstract isAfter(a: string, b: string): boolean;
  /** Whether storage is reachable now (for /health/ready). */
  abstract isReady(): Promise<boolean>;
}
