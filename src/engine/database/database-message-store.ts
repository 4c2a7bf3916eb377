import { Injectable, Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { ChatMessage } from '../../protocol/chat.events.js';
import { BackendUnavailableError, logFailure } from '../backend-unreachable.js';
import { Broker, type Delivery } from '../broker.js';
import { formatMessageId, isMessageIdAfter, parseMessageId } from '../message-id.js';
import {
  MessageStore,
  type PendingSend,
  type Recovery,
  type RecoveryLimits,
  type StoredSend,
} from '../message-store.js';
import { userRateExceeded, type SendRefusal } from '../send-refusal.js';
import { SendRateLimiter } from '../send-rate-limiter.js';
import { deliveryOf } from '../stored-send-delivery.js';
import { ConversationKey, directMembers } from './conversation-key.js';
import { DatabaseConnection } from './database-connection.js';
import type { ConversationsTable, DatabaseSchema, MessagesTable } from './database-schema.js';
import { chatMessageOf, selectMessageRows, wireMessageOf } from './message-row.js';
import { advanceSenders } from './sender-read-pointers.js';

/** Rows per INSERT: both dialects cap the parameters of one statement (SQLite at 32,766). */
const INSERT_CHUNK_ROWS = 1000;
/** Times a batch is written again after losing a race for a clientMsgId to another node. */
const UNIQUE_RACE_RETRIES = 3;
/** How long `isReady` waits for the database to answer. */
const READY_TIMEOUT_MS = 1000;

/** A send of a batch that is within the user's rate, with the conversation it goes to. */
interface Write {
  send: PendingSend;
  conversation: string;
}

/** What one send of a batch became: a new message (its conversation and place), or a resend of one. */
type Placed =
  | { kind: 'new'; write: Write; offset: number }
  | { kind: 'earlier'; stored: StoredSend }
  | { kind: 'same-batch'; first: number };

/**
 * History in a database (PostgreSQL or SQLite, through Kysely): the source of truth, kept across
 * restarts. A batch is one transaction (dedupe lookup, sequence allocation, one multi-row INSERT), then
 * the publish in storage order; an ack therefore means committed. Ids are `<epoch>-<seq>` per
 * conversation, the epoch stored with it; DMs are kept per pair of users.
 */
@Injectable()
export class DatabaseMessageStore extends MessageStore {
  private readonly logger = new Logger(DatabaseMessageStore.name);

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly broker: Broker,
    private readonly rate: SendRateLimiter,
  ) {
    super();
  }

  async append(batch: readonly PendingSend[]): Promise<(StoredSend | SendRefusal)[]> {
    const now = Date.now();
    // Checked first: a send before the database was reached fails without spending the user's rate.
    const database = this.connection.database;
    const admitted = await this.rate.admit(
      batch.map((send) => send.from.id),
      now,
    );
    const writes: Write[] = [];
    batch.forEach((send, index) => {
      if (admitted[index]) writes.push({ send, conversation: conversationOf(send) });
    });
    if (writes.length === 0) return batch.map(() => userRateExceeded(now));
    const conversations = [...new Set(writes.map((write) => write.conversation))].sort();
    const stored = await this.connection.track(() =>
      database.writeExclusively(conversations, async (writer) => {
        const committed = await this.commitRetryingRaces(writer, writes, now);
        await this.publish(committed, writes);
        return committed;
      }),
    );
    let next = 0;
    return batch.map((_, index) => (admitted[index] ? stored[next++] : userRateExceeded(now)));
  }

  async latest(room: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.connection.track((database) =>
      selectMessageRows(database.db)
        .where('m.conversation', '=', ConversationKey.room(room))
        .where('m.kind', '=', 'message')
        .orderBy('m.seq', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows.reverse().map(chatMessageOf);
  }

  async after(room: string, since: string, limits: RecoveryLimits): Promise<Recovery> {
    const parsed = parseMessageId(since);
    const conversation = ConversationKey.room(room);
    if (parsed) {
      const recovered = await this.connection.track(async ({ db }) => {
        const head = await db
          .selectFrom('conversations')
          .select(['epoch', 'last_seq'])
          .where('key', '=', conversation)
          .executeTakeFirst();
        if (!head || head.epoch !== parsed.epoch) return undefined;
        const missed = head.last_seq - parsed.sequence;
        if (missed < 0 || missed > limits.max) return undefined;
        if (missed === 0) return [];
        const rows = await selectMessageRows(db)
          .select('m.kind as row_kind')
          .where('m.conversation', '=', conversation)
          .where('m.seq', '>', parsed.sequence)
          .where('m.seq', '<=', head.last_seq)
          .orderBy('m.seq', 'asc')
          .limit(missed)
          .execute();
        // Sequence numbers have no holes: fewer rows than numbers means some were removed (retention).
        if (rows.length !== missed) return undefined;
        return rows.filter((row) => row.row_kind === 'message').map(chatMessageOf);
      });
      if (recovered) return { messages: recovered, recovered: true };
    }
    return { messages: await this.latest(room, limits.fallback), recovered: false };
  }

  async before(room: string, before: string, limit: number): Promise<ChatMessage[]> {
    const parsed = parseMessageId(before);
    if (!parsed) return [];
    const rows = await this.connection.track((database) =>
      selectMessageRows(database.db)
        .where('m.conversation', '=', ConversationKey.room(room))
        .where('c.epoch', '=', parsed.epoch)
        .where('m.seq', '<', parsed.sequence)
        .where('m.kind', '=', 'message')
        .orderBy('m.seq', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows.reverse().map(chatMessageOf);
  }

  isAfter(a: string, b: string): boolean {
    return isMessageIdAfter(a, b);
  }

  async isReady(): Promise<boolean> {
    try {
      await this.connection.track(({ db }) =>
        withTimeout(db.selectNoFrom((eb) => eb.lit(1).as('one')).execute(), READY_TIMEOUT_MS),
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Commits the batch; on PostgreSQL two nodes may store one sender's clientMsgId at once (in different
   * conversations, so under different locks): the loser's transaction rolls back, consuming no sequence
   * number, and is written again, when its lookup finds the winner's message.
   */
  private async commitRetryingRaces(
    writer: Kysely<DatabaseSchema>,
    writes: readonly Write[],
    now: number,
  ): Promise<StoredSend[]> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await writer.transaction().execute((tx) => this.commit(tx, writes, now));
      } catch (error) {
        const database = this.connection.database;
        if (attempt >= UNIQUE_RACE_RETRIES || !database.isUniqueViolation(error)) throw error;
      }
    }
  }

  /** One transaction: dedupe lookup, sequence numbers per conversation, one INSERT of the new messages. */
  private async commit(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
    now: number,
  ): Promise<StoredSend[]> {
    const earlier = await this.findEarlier(tx, writes);
    const firstOfKey = new Map<string, number>();
    const added = new Map<string, number>();
    const placed: Placed[] = writes.map((write, i) => {
      const key = dedupeKeyOf(write.send);
      if (key !== undefined) {
        const stored = earlier.get(key);
        if (stored) return { kind: 'earlier', stored };
        const first = firstOfKey.get(key);
        if (first !== undefined) return { kind: 'same-batch', first };
        firstOfKey.set(key, i);
      }
      const offset = added.get(write.conversation) ?? 0;
      added.set(write.conversation, offset + 1);
      return { kind: 'new', write, offset };
    });
    if (added.size === 0) return placed.map((place) => (place as { stored: StoredSend }).stored);

    const heads = await this.allocate(tx, writes, added, now);
    const rows: MessagesTable[] = [];
    const stored = placed.map((place): StoredSend | undefined => {
      if (place.kind !== 'new') return place.kind === 'earlier' ? place.stored : undefined;
      const { write, offset } = place;
      const head = heads.get(write.conversation)!;
      const seq = head.firstSeq + offset;
      rows.push({
        conversation: write.conversation,
        seq,
        kind: 'message',
        target_seq: null,
        sender_id: write.send.from.id,
        sender_name: write.send.from.name,
        text: write.send.text,
        ts: now,
        client_msg_id: write.send.clientMsgId ?? null,
        ordinal: head.firstOrdinal + offset,
      });
      return storedSendOf(write.send, formatMessageId(head.epoch, seq), now);
    });
    for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
      await tx
        .insertInto('messages')
        .values(rows.slice(start, start + INSERT_CHUNK_ROWS))
        .execute();
    }
    await advanceSenders(tx, rows, now);
    return placed.map((place, i) => {
      if (place.kind !== 'same-batch') return stored[i]!;
      return { ...stored[place.first]!, duplicate: true };
    });
  }

  /** The messages already stored under the batch's clientMsgIds, by dedupe key, marked duplicate. */
  private async findEarlier(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
  ): Promise<Map<string, StoredSend>> {
    const found = new Map<string, StoredSend>();
    const keyed = writes.filter((write) => write.send.clientMsgId !== undefined);
    if (keyed.length === 0) return found;
    // Both lists bound the unique index (sender, client_msg_id); the exact pairs are picked out below.
    const rows = await selectMessageRows(tx)
      .where('m.sender_id', 'in', [...new Set(keyed.map((write) => write.send.from.id))])
      .where('m.client_msg_id', 'in', [...new Set(keyed.map((write) => write.send.clientMsgId!))])
      .execute();
    for (const row of rows) {
      found.set(pairKey(row.sender_id, row.client_msg_id!), {
        ...wireMessageOf(row),
        duplicate: true,
      });
    }
    return found;
  }

  /**
   * Takes `added` sequence numbers in each conversation in one statement (an upsert: a new conversation
   * gets its row and epoch), in key order so that concurrent writers lock rows alike; answers each
   * conversation's epoch and first new sequence number and ordinal.
   */
  private async allocate(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
    added: ReadonlyMap<string, number>,
    now: number,
  ): Promise<Map<string, { epoch: string; firstSeq: number; firstOrdinal: number }>> {
    const sample = new Map(writes.map((write) => [write.conversation, write.send]));
    const rows: ConversationsTable[] = [...added.keys()].sort().map((key) => {
      const send = sample.get(key)!;
      const [memberA, memberB] =
        send.kind === 'dm' ? directMembers(send.from.id, send.to) : [null, null];
      return {
        key,
        kind: send.kind,
        epoch: randomBytes(5).toString('hex'),
        last_seq: added.get(key)!,
        message_count: added.get(key)!,
        member_a: memberA,
        member_b: memberB,
        created_at: now,
        active_at: now,
      };
    });
    const heads = await tx
      .insertInto('conversations')
      .values(rows)
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet((eb) => ({
          last_seq: eb('conversations.last_seq', '+', eb.ref('excluded.last_seq')),
          message_count: eb('conversations.message_count', '+', eb.ref('excluded.message_count')),
          active_at: eb.ref('excluded.active_at'),
        })),
      )
      .returning(['key', 'epoch', 'last_seq', 'message_count'])
      .execute();
    return new Map(
      heads.map((head) => {
        const count = added.get(head.key)!;
        return [
          head.key,
          {
            epoch: head.epoch,
            firstSeq: head.last_seq - count + 1,
            firstOrdinal: head.message_count - count + 1,
          },
        ];
      }),
    );
  }

  /**
   * Publishes the batch's new messages in storage order, once committed. A publish that fails does not
   * undo the commit: the ack still goes out (the message is stored; others get it from history).
   */
  private async publish(committed: readonly StoredSend[], writes: readonly Write[]): Promise<void> {
    const deliveries: Delivery[] = [];
    committed.forEach((send, i) => {
      if (!send.duplicate) deliveries.push(deliveryOf(send, writes[i].send.origin));
    });
    if (deliveries.length === 0) return;
    await this.broker
      .publish(deliveries)
      .catch((error: unknown) =>
        logFailure(this.logger, 'warn', `stored ${deliveries.length} but could not publish`, error),
      );
  }
}

/** The conversation a send goes to. */
function conversationOf(send: PendingSend): string {
  return send.kind === 'room'
    ? ConversationKey.room(send.room)
    : ConversationKey.direct(send.from.id, send.to);
}

/** The durable dedupe key: the sender and their clientMsgId (unique together in `messages`). */
function dedupeKeyOf(send: PendingSend): string | undefined {
  return send.clientMsgId === undefined ? undefined : pairKey(send.from.id, send.clientMsgId);
}

function pairKey(senderId: string, clientMsgId: string): string {
  return `${senderId.length}:${senderId}:${clientMsgId}`;
}

/** A new message as the store answers it. */
function storedSendOf(send: PendingSend, id: string, ts: number): StoredSend {
  return send.kind === 'room'
    ? {
        kind: 'room',
        duplicate: false,
        message: { id, room: send.room, from: send.from, text: send.text, ts },
      }
    : {
        kind: 'dm',
        duplicate: false,
        message: { id, from: send.from, to: send.to, text: send.text, ts },
      };
}

/** Rejects when `promise` has not settled within `ms`, as an outage. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendUnavailableError(`the database did not answer within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
