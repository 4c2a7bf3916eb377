import type { ChatMessage, DirectMessage, User } from '../protocol/chat.events.js';
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

/** What the store made of one pending send: the stored message, or the first one if it was a resend. */
export type StoredSend =
  | { kind: 'room'; message: ChatMessage; duplicate: boolean }
  | { kind: 'dm'; message: DirectMessage; duplicate: boolean };

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
}

/** Where messages get their ids and are kept: the memory engine, the Redis streams or a database. */
export abstract class MessageStore {
  /**
   * Stores a batch in order, assigning ids increasing per room, and publishes the new messages to every
   * node in that same order (one step, so that publish order equals storage order). A resend of a known
   * dedupe key returns the first result and publishes nothing. A send over the user's rate across all
   * nodes comes back as a `SendRefusal` value. Rejects when storage is unreachable.
   */
  abstract append(batch: readonly PendingSend[]): Promise<(StoredSend | SendRefusal)[]>;
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
