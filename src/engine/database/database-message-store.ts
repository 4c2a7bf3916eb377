import { Injectable, Logger } from '@nestjs/common';
import { sql, type Insertable, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { ChatMessage, MessageChange } from '../../protocol/chat.events.js';
import { logFailure } from '../backend-unreachable.js';
import { Broker, type Delivery } from '../broker.js';
import { formatMessageId, isMessageIdAfter, parseMessageId } from '../message-id.js';
import {
  isPendingChange,
  MessageStore,
  type PendingChange,
  type PendingSend,
  type PendingWrite,
  type Recovery,
  type RecoveryLimits,
  type StoredChange,
  type StoredSend,
  type StoredWrite,
} from '../message-store.js';
import { isSendRefusal, userRateExceeded, type SendRefusal } from '../send-refusal.js';
import { SendRateLimiter } from '../send-rate-limiter.js';
import { changeDeliveryOf, deliveryOf } from '../stored-send-delivery.js';
import { withTimeout } from '../with-timeout.js';
import { ConversationKey, directMembers } from './conversation-key.js';
import { DatabaseConnection } from './database-connection.js';
import type { ConversationsTable, DatabaseSchema, MessagesTable } from './database-schema.js';
import { chatMessageOf, selectMessageRows, wireMessageOf, type MessageRow } from './message-row.js';
import { advanceSenders } from './sender-read-pointers.js';

/** Rows per INSERT: both dialects cap the parameters of one statement (SQLite at 32,766). */
const INSERT_CHUNK_ROWS = 1000;
/** Times a batch is written again after losing a race for a clientMsgId to another node. */
const UNIQUE_RACE_RETRIES = 3;
/** How long `isReady` waits for the database to answer. */
const READY_TIMEOUT_MS = 1000;

/** A write of a batch that is within the user's rate, with the conversation it goes to. */
interface Write {
  send: PendingWrite;
  conversation: string;
}

/** A message a change of the batch names, as the batch found it and as its earlier changes left it. */
interface Target {
  epoch: string;
  sender: string;
  deleted: boolean;
}

/**
 * What one write of a batch became: a new log entry (its conversation, its place among the batch's new
 * entries and, for a message, among its new messages), a resend of a message, or a refused change.
 */
type Placed =
  | { kind: 'new'; write: Write; offset: number; ordinalOffset: number; targetSeq?: number }
  | { kind: 'earlier'; stored: StoredSend }
  | { kind: 'same-batch'; first: number }
  | { kind: 'refused'; refusal: SendRefusal };

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

  override get keepsChanges(): boolean {
    return true;
  }

  async append(batch: readonly PendingWrite[]): Promise<(StoredWrite | SendRefusal)[]> {
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

  async earlierSend(send: PendingSend): Promise<StoredSend | undefined> {
    if (send.clientMsgId === undefined) return undefined;
    const row = await this.connection.track((database) =>
      selectMessageRows(database.db)
        .where('m.sender_id', '=', send.from.id)
        .where('m.client_msg_id', '=', send.clientMsgId!)
        .executeTakeFirst(),
    );
    return row && { ...wireMessageOf(row), duplicate: true };
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
        // Every entry counts against the limit, edits and deletions too: each is a row to read.
        const missed = head.last_seq - parsed.sequence;
        if (missed < 0 || missed > limits.max) return undefined;
        if (missed === 0) return { messages: [], changes: [] };
        const rows = await selectMessageRows(db)
          .select(['m.kind as row_kind', 'm.target_seq'])
          .where('m.conversation', '=', conversation)
          .where('m.seq', '>', parsed.sequence)
          .where('m.seq', '<=', head.last_seq)
          .orderBy('m.seq', 'asc')
          .limit(missed)
          .execute();
        // Sequence numbers have no holes: fewer rows than numbers means some were removed (retention).
        if (rows.length !== missed) return undefined;
        return {
          messages: rows.filter((row) => row.row_kind === 'message').map(chatMessageOf),
          changes: changesUpTo(rows, parsed.sequence),
        };
      });
      if (recovered) return { ...recovered, recovered: true };
    }
    return { messages: await this.latest(room, limits.fallback), recovered: false, changes: [] };
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

  async between(room: string, after: string, until: string, limit: number): Promise<ChatMessage[]> {
    const [from, to] = [parseMessageId(after), parseMessageId(until)];
    if (!from || !to || from.epoch !== to.epoch || to.sequence <= from.sequence) return [];
    const rows = await this.connection.track((database) =>
      selectMessageRows(database.db)
        .where('m.conversation', '=', ConversationKey.room(room))
        .where('c.epoch', '=', from.epoch)
        .where('m.seq', '>', from.sequence)
        .where('m.seq', '<=', to.sequence)
        .where('m.kind', '=', 'message')
        .orderBy('m.seq', 'asc')
        .limit(limit)
        .execute(),
    );
    return rows.map(chatMessageOf);
  }

  isAfter(a: string, b: string): boolean {
    return isMessageIdAfter(a, b);
  }

  async isReady(): Promise<boolean> {
    try {
      await this.connection.track(({ db }) =>
        withTimeout(
          db.selectNoFrom((eb) => eb.lit(1).as('one')).execute(),
          READY_TIMEOUT_MS,
          'the database',
        ),
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
  ): Promise<(StoredWrite | SendRefusal)[]> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await writer.transaction().execute((tx) => this.commit(tx, writes, now));
      } catch (error) {
        const database = this.connection.database;
        if (attempt >= UNIQUE_RACE_RETRIES || !database.isUniqueViolation(error)) throw error;
      }
    }
  }

  /**
   * One transaction: dedupe lookup, the targets of the changes, sequence numbers per conversation, one
   * INSERT of the new entries, then the changes applied to their targets (a statement per kind of change).
   */
  private async commit(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
    now: number,
  ): Promise<(StoredWrite | SendRefusal)[]> {
    const earlier = await this.findEarlier(tx, writes);
    const targets = await this.findTargets(tx, writes);
    const firstOfKey = new Map<string, number>();
    const added = new Map<string, number>();
    const messagesAdded = new Map<string, number>();
    const place = (write: Write, targetSeq?: number): Placed => {
      const offset = added.get(write.conversation) ?? 0;
      added.set(write.conversation, offset + 1);
      if (targetSeq !== undefined)
        return { kind: 'new', write, offset, ordinalOffset: 0, targetSeq };
      const ordinalOffset = messagesAdded.get(write.conversation) ?? 0;
      messagesAdded.set(write.conversation, ordinalOffset + 1);
      return { kind: 'new', write, offset, ordinalOffset };
    };
    const placed: Placed[] = writes.map((write, i) => {
      const { send } = write;
      if (isPendingChange(send)) {
        const judged = judgeChange(send, write.conversation, targets);
        return 'refused' in judged
          ? { kind: 'refused', refusal: judged }
          : place(write, judged.seq);
      }
      const key = dedupeKeyOf(send);
      if (key !== undefined) {
        const stored = earlier.get(key);
        if (stored) return { kind: 'earlier', stored };
        const first = firstOfKey.get(key);
        if (first !== undefined) return { kind: 'same-batch', first };
        firstOfKey.set(key, i);
      }
      return place(write);
    });
    if (added.size === 0) {
      return placed.map((p) =>
        p.kind === 'refused' ? p.refusal : (p as { stored: StoredSend }).stored,
      );
    }

    const heads = await this.allocate(tx, writes, added, messagesAdded, now);
    const rows: Insertable<MessagesTable>[] = [];
    const changed: ChangedTarget[] = [];
    const stored = placed.map((p): StoredWrite | SendRefusal | undefined => {
      if (p.kind === 'refused') return p.refusal;
      if (p.kind !== 'new') return p.kind === 'earlier' ? p.stored : undefined;
      const { write, offset } = p;
      const { send } = write;
      const head = heads.get(write.conversation)!;
      const seq = head.firstSeq + offset;
      if (isPendingChange(send)) {
        rows.push({
          ...entryRow(write.conversation, seq, send, now),
          kind: send.kind,
          target_seq: p.targetSeq!,
          text: send.text,
          ordinal: null,
        });
        changed.push({ conversation: write.conversation, seq: p.targetSeq!, send });
        return storedChangeOf(send, head.epoch, p.targetSeq!, seq, now);
      }
      rows.push({
        ...entryRow(write.conversation, seq, send, now),
        kind: 'message',
        target_seq: null,
        text: send.text,
        client_msg_id: send.clientMsgId ?? null,
        ordinal: head.firstOrdinal + p.ordinalOffset,
      });
      return storedSendOf(send, formatMessageId(head.epoch, seq), now);
    });
    for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
      await tx
        .insertInto('messages')
        .values(rows.slice(start, start + INSERT_CHUNK_ROWS))
        .execute();
    }
    await applyChanges(tx, changed, now);
    await advanceSenders(tx, rows, now);
    return placed.map((p, i) => {
      if (p.kind !== 'same-batch') return stored[i]!;
      return { ...(stored[p.first] as StoredSend), duplicate: true };
    });
  }

  /**
   * The messages the batch's changes name, by target key, read in one statement: only rows of kind
   * 'message' in the conversation the change names and of its epoch can be changed.
   */
  private async findTargets(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
  ): Promise<Map<string, Target>> {
    const found = new Map<string, Target>();
    const wanted = new Map<string, Set<number>>();
    for (const { send, conversation } of writes) {
      if (!isPendingChange(send)) continue;
      const parsed = parseMessageId(send.target);
      if (!parsed) continue;
      const seqs = wanted.get(conversation) ?? new Set<number>();
      wanted.set(conversation, seqs.add(parsed.sequence));
    }
    if (wanted.size === 0) return found;
    const rows = await tx
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.key', 'm.conversation')
      .select(['m.conversation', 'm.seq', 'm.sender_id', 'm.deleted_at', 'c.epoch'])
      .where('m.kind', '=', 'message')
      .where((eb) =>
        eb.or(
          [...wanted].map(([conversation, seqs]) =>
            eb.and([eb('m.conversation', '=', conversation), eb('m.seq', 'in', [...seqs])]),
          ),
        ),
      )
      .execute();
    for (const row of rows) {
      found.set(targetKey(row.conversation, row.seq), {
        epoch: row.epoch,
        sender: row.sender_id,
        deleted: row.deleted_at !== null,
      });
    }
    return found;
  }

  /** The messages already stored under the batch's clientMsgIds, by dedupe key, marked duplicate. */
  private async findEarlier(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
  ): Promise<Map<string, StoredSend>> {
    const found = new Map<string, StoredSend>();
    const keyed = writes.flatMap(({ send }) =>
      !isPendingChange(send) && send.clientMsgId !== undefined ? [send] : [],
    );
    if (keyed.length === 0) return found;
    // Both lists bound the unique index (sender, client_msg_id); the exact pairs are picked out below.
    const rows = await selectMessageRows(tx)
      .where('m.sender_id', 'in', [...new Set(keyed.map((send) => send.from.id))])
      .where('m.client_msg_id', 'in', [...new Set(keyed.map((send) => send.clientMsgId!))])
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
   * Takes `added` sequence numbers (and `messagesAdded` ordinals) in each conversation in one statement
   * (an upsert: a new conversation gets its row and epoch; a change's conversation always exists), in key
   * order so that concurrent writers lock rows alike; answers each conversation's epoch and first new
   * sequence number and ordinal.
   */
  private async allocate(
    tx: Kysely<DatabaseSchema>,
    writes: readonly Write[],
    added: ReadonlyMap<string, number>,
    messagesAdded: ReadonlyMap<string, number>,
    now: number,
  ): Promise<Map<string, { epoch: string; firstSeq: number; firstOrdinal: number }>> {
    const sample = new Map(writes.map((write) => [write.conversation, write.send]));
    const rows: ConversationsTable[] = [...added.keys()].sort().map((key) => {
      const send = sample.get(key)!;
      const [memberA, memberB] =
        send.kind === 'dm' ? directMembers(send.from.id, send.to) : [null, null];
      return {
        key,
        kind:
          send.kind === 'dm' || (isPendingChange(send) && 'with' in send.conversation)
            ? 'dm'
            : 'room',
        // Used only when the row is new; randomUUID draws from a cached pool (no system call per batch).
        epoch: newEpoch(),
        last_seq: added.get(key)!,
        message_count: messagesAdded.get(key) ?? 0,
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
      heads.map((head) => [
        head.key,
        {
          epoch: head.epoch,
          firstSeq: head.last_seq - added.get(head.key)! + 1,
          firstOrdinal: head.message_count - (messagesAdded.get(head.key) ?? 0) + 1,
        },
      ]),
    );
  }

  /**
   * Publishes the batch's new messages and changes in storage order, once committed. A publish that fails
   * does not undo the commit: the ack still goes out (the message is stored; others get it from history).
   */
  private async publish(
    committed: readonly (StoredWrite | SendRefusal)[],
    writes: readonly Write[],
  ): Promise<void> {
    const deliveries: Delivery[] = [];
    committed.forEach((result, i) => {
      const { send } = writes[i];
      if (isSendRefusal(result)) return;
      if (result.kind === 'change') {
        deliveries.push(changeDeliveryOf(send as PendingChange, result));
      } else if (!result.duplicate) {
        const delivery = deliveryOf(result, send.origin);
        // Sequence numbers have no holes: the entry before this one is its predecessor in the log (an edit
        // or a delete before it costs the receiving node one empty catch-up read).
        if (delivery.target === 'room') delivery.prev = previousId(result.message.id);
        deliveries.push(delivery);
      }
    });
    if (deliveries.length === 0) return;
    await this.broker
      .publish(deliveries)
      .catch((error: unknown) =>
        logFailure(this.logger, 'warn', `stored ${deliveries.length} but could not publish`, error),
      );
  }
}

/** The id of the entry stored just before `id` in its conversation; undefined for the first. */
function previousId(id: string): string | undefined {
  const parsed = parseMessageId(id)!;
  return parsed.sequence > 1 ? formatMessageId(parsed.epoch, parsed.sequence - 1) : undefined;
}

/** The conversation a send or change goes to. */
function conversationOf(send: PendingWrite): string {
  if (isPendingChange(send)) {
    const named = send.conversation;
    return 'room' in named
      ? ConversationKey.room(named.room)
      : ConversationKey.direct(send.from.id, named.with);
  }
  return send.kind === 'room'
    ? ConversationKey.room(send.room)
    : ConversationKey.direct(send.from.id, send.to);
}

/** A message changed by the batch: its conversation and sequence number, and the change. */
interface ChangedTarget {
  conversation: string;
  seq: number;
  send: PendingChange;
}

function targetKey(conversation: string, seq: number): string {
  return `${seq}:${conversation}`;
}

/**
 * Whether a change may be stored, given what the batch found and its earlier changes did: the target's
 * sequence number, or the refusal. A deletion marks the target deleted for the rest of the batch.
 */
function judgeChange(
  change: PendingChange,
  conversation: string,
  targets: ReadonlyMap<string, Target>,
): { seq: number } | SendRefusal {
  const parsed = parseMessageId(change.target);
  const target = parsed && targets.get(targetKey(conversation, parsed.sequence));
  if (!parsed || !target || target.epoch !== parsed.epoch) return { refused: 'not_found' };
  if (target.sender !== change.from.id && !change.anyAuthor)
    return { refused: 'forbidden', reason: 'only its author may change a message' };
  if (target.deleted) return { refused: 'forbidden', reason: 'message deleted' };
  if (change.kind === 'delete') target.deleted = true;
  return { seq: parsed.sequence };
}

/** The columns every new entry of the batch shares, whatever its kind. */
function entryRow(conversation: string, seq: number, send: PendingWrite, now: number) {
  return {
    conversation,
    seq,
    sender_id: send.from.id,
    sender_name: send.from.name,
    ts: now,
    client_msg_id: null,
  };
}

/**
 * Applies the batch's changes to their targets, once their entries are inserted: one UPDATE for the
 * edits (each target's last text), one for the deletions (text gone, deleted_at set) and one that
 * removes the text of every edit entry of a deleted message, those of this batch included.
 */
async function applyChanges(
  tx: Kysely<DatabaseSchema>,
  changed: readonly ChangedTarget[],
  now: number,
): Promise<void> {
  const edits = new Map<string, ChangedTarget>();
  const deletions: ChangedTarget[] = [];
  for (const change of changed) {
    if (change.send.kind === 'edit') edits.set(targetKey(change.conversation, change.seq), change);
    else deletions.push(change);
  }
  if (edits.size > 0) {
    const list = [...edits.values()];
    const texts = list.map(
      (edit) =>
        sql`when conversation = ${edit.conversation} and seq = ${edit.seq} then ${edit.send.text}`,
    );
    await tx
      .updateTable('messages')
      .set({ text: sql<string>`case ${sql.join(texts, sql` `)} end`, edited_at: now })
      .where((eb) =>
        eb.or(
          list.map((edit) =>
            eb.and([eb('conversation', '=', edit.conversation), eb('seq', '=', edit.seq)]),
          ),
        ),
      )
      .execute();
  }
  if (deletions.length === 0) return;
  await tx
    .updateTable('messages')
    .set({ text: null, deleted_at: now })
    .where((eb) =>
      eb.or(
        deletions.map((deletion) =>
          eb.and([eb('conversation', '=', deletion.conversation), eb('seq', '=', deletion.seq)]),
        ),
      ),
    )
    .execute();
  // Through the index on (conversation, target_seq): the text is gone from the database, not hidden.
  await tx
    .updateTable('messages')
    .set({ text: null })
    .where('kind', '=', 'edit')
    .where((eb) =>
      eb.or(
        deletions.map((deletion) =>
          eb.and([
            eb('conversation', '=', deletion.conversation),
            eb('target_seq', '=', deletion.seq),
          ]),
        ),
      ),
    )
    .execute();
}

/** A committed change as the store answers it: the changed message's id, its entry's id, when. */
function storedChangeOf(
  change: PendingChange,
  epoch: string,
  targetSeq: number,
  entrySeq: number,
  ts: number,
): StoredChange {
  return {
    kind: 'change',
    action: change.kind === 'edit' ? 'edited' : 'deleted',
    id: formatMessageId(epoch, targetSeq),
    entry: formatMessageId(epoch, entrySeq),
    room: 'room' in change.conversation ? change.conversation.room : undefined,
    ts,
  };
}

/**
 * The changes a recovery after `since` carries: for each message at or before `since` that an entry
 * after it changed, the last such entry (a deletion follows any edit, and the last edit's text is the
 * current one), in the order they happened.
 */
function changesUpTo(
  rows: ReadonlyArray<MessageRow & { row_kind: string; target_seq: number | null }>,
  since: number,
): MessageChange[] {
  const last = new Map<number, MessageChange>();
  for (const row of rows) {
    if (row.row_kind === 'message' || row.target_seq === null || row.target_seq > since) continue;
    const id = formatMessageId(row.epoch, row.target_seq);
    last.delete(row.target_seq);
    last.set(
      row.target_seq,
      row.row_kind === 'delete'
        ? { id, action: 'deleted', at: row.ts }
        : { id, action: 'edited', text: row.text ?? '', at: row.ts },
    );
  }
  return [...last.values()];
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

/** A random epoch of 10 hex digits for a new conversation. */
function newEpoch(): string {
  const uuid = randomUUID();
  return uuid.slice(0, 8) + uuid.slice(9, 11);
}
