import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type {
  Conversation,
  ConversationName,
  DirectMessage,
  User,
} from '../../protocol/chat.events.js';
import { ConversationStore, type ReadOutcome } from '../conversation-store.js';
import { formatMessageId, parseMessageId } from '../message-id.js';
import { ConversationKey } from './conversation-key.js';
import { DatabaseConnection } from './database-connection.js';
import type { DatabaseSchema } from './database-schema.js';
import { directMessageOf, selectMessageRows, wireMessageOf } from './message-row.js';

/** A pointer as a `read` finds or leaves it. */
interface Pointer {
  seq: number;
  ordinal: number;
}

/**
 * Conversations and read state in the database. A row of `read_pointers` is the membership: a room's on
 * its first join, a DM's for both users on its first message. An unread count is the conversation's
 * `message_count` minus the pointer's `ordinal`, read from two rows whatever the history's length.
 */
@Injectable()
export class DatabaseConversationStore extends ConversationStore {
  constructor(private readonly connection: DatabaseConnection) {
    super();
  }

  async directPage(
    userId: string,
    otherId: string,
    before: string | undefined,
    limit: number,
  ): Promise<DirectMessage[]> {
    const parsed = before === undefined ? undefined : parseMessageId(before);
    if (before !== undefined && !parsed) return [];
    const rows = await this.connection.track(({ db }) => {
      let query = selectMessageRows(db)
        .where('m.conversation', '=', ConversationKey.direct(userId, otherId))
        .where('m.kind', '=', 'message');
      if (parsed)
        query = query.where('c.epoch', '=', parsed.epoch).where('m.seq', '<', parsed.sequence);
      return query.orderBy('m.seq', 'desc').limit(limit).execute();
    });
    return rows.reverse().map(directMessageOf);
  }

  async recordJoin(user: User, room: string): Promise<void> {
    const conversation = ConversationKey.room(room);
    await this.connection.track(async ({ db }) => {
      const head = await db
        .selectFrom('conversations as c')
        .leftJoin('messages as m', (join) =>
          join.onRef('m.conversation', '=', 'c.key').onRef('m.ordinal', '=', 'c.message_count'),
        )
        .select(['c.message_count', 'm.seq'])
        .where('c.key', '=', conversation)
        .executeTakeFirst();
      await db
        .insertInto('read_pointers')
        .values({
          user_id: user.id,
          conversation,
          seq: head?.seq ?? 0,
          ordinal: head?.seq == null ? 0 : head.message_count,
          user_name: user.name,
          updated_at: Date.now(),
        })
        .onConflict((conflict) => conflict.columns(['user_id', 'conversation']).doNothing())
        .execute();
    });
  }

  async list(userId: string, limit: number): Promise<Conversation[]> {
    return this.connection.track(async ({ db }) => {
      // The user's pointers by the primary key's prefix, each conversation by its key: the sort is over
      // this user's conversations only.
      const entries = await db
        .selectFrom('read_pointers as p')
        .leftJoin('conversations as c', 'c.key', 'p.conversation')
        .select((eb) => [
          'p.conversation',
          'p.seq',
          'p.ordinal',
          'c.epoch',
          'c.kind',
          'c.member_a',
          'c.member_b',
          'c.message_count',
          eb.fn.coalesce('c.active_at', 'p.updated_at').as('active_at'),
        ])
        .where('p.user_id', '=', userId)
        .orderBy('active_at', 'desc')
        .orderBy('p.conversation', 'asc')
        .limit(limit)
        .execute();
      if (entries.length === 0) return [];
      const keys = entries.map((entry) => entry.conversation);
      const directKeys = entries.filter((e) => e.kind === 'dm').map((e) => e.conversation);
      const [lastRows, names] = await Promise.all([
        selectMessageRows(db)
          .where('c.key', 'in', keys)
          .whereRef('m.ordinal', '=', 'c.message_count')
          .execute(),
        directKeys.length === 0
          ? Promise.resolve([])
          : db
              .selectFrom('read_pointers')
              .select(['conversation', 'user_id', 'user_name'])
              .where('conversation', 'in', directKeys)
              .execute(),
      ]);
      const last = new Map(lastRows.map((row) => [row.key, wireMessageOf(row).message]));
      const nameOf = new Map(
        names.map((row) => [`${row.conversation}\n${row.user_id}`, row.user_name]),
      );
      return entries.map((entry): Conversation => {
        const item: Conversation = {
          unread: Math.max(0, (entry.message_count ?? 0) - entry.ordinal),
          activeAt: Number(entry.active_at),
        };
        if (entry.kind === 'dm') {
          const other = entry.member_a === userId ? entry.member_b! : entry.member_a!;
          const name = nameOf.get(`${entry.conversation}\n${other}`);
          item.with = { id: other, name: name ?? other };
        } else {
          item.room = entry.conversation.slice(ConversationKey.room('').length);
        }
        const message = last.get(entry.conversation);
        if (message) item.last = message;
        if (entry.seq > 0 && entry.epoch) item.readId = formatMessageId(entry.epoch, entry.seq);
        return item;
      });
    });
  }

  async read(
    user: User,
    name: ConversationName,
    id: string,
    isPrivate: boolean,
  ): Promise<ReadOutcome> {
    const conversation =
      name.room !== undefined
        ? ConversationKey.room(name.room)
        : ConversationKey.direct(user.id, name.with);
    const parsed = parseMessageId(id);
    return this.connection.track(async ({ db }) => {
      const [current, target] = await Promise.all([
        this.pointer(db, user.id, conversation),
        parsed
          ? db
              .selectFrom('messages as m')
              .innerJoin('conversations as c', 'c.key', 'm.conversation')
              .select(['m.ordinal', 'c.message_count', 'c.epoch'])
              .where('m.conversation', '=', conversation)
              .where('m.seq', '=', parsed.sequence)
              .where('m.kind', '=', 'message')
              .executeTakeFirst()
          : undefined,
      ]);
      if (name.room !== undefined && !current) return { kind: 'not-member' };
      if (!parsed || !target || target.epoch !== parsed.epoch) return { kind: 'not-found' };
      const wanted = {
        seq: parsed.sequence,
        ordinal: target.ordinal!,
        private: isPrivate ? 1 : 0,
        updated_at: Date.now(),
      };
      // Monotonic in the statement itself: a concurrent read of an older id on another node cannot win.
      const moved = current
        ? await db
            .updateTable('read_pointers')
            .set({ ...wanted, user_name: user.name })
            .where('user_id', '=', user.id)
            .where('conversation', '=', conversation)
            .where('seq', '<', wanted.seq)
            .returning(['seq', 'ordinal'])
            .executeTakeFirst()
        : await db
            .insertInto('read_pointers')
            .values({ user_id: user.id, conversation, user_name: user.name, ...wanted })
            .onConflict((conflict) =>
              conflict
                .columns(['user_id', 'conversation'])
                .doUpdateSet({ ...wanted, user_name: user.name })
                .where('read_pointers.seq', '<', wanted.seq),
            )
            .returning(['seq', 'ordinal'])
            .executeTakeFirst();
      const after = moved ?? (await this.pointer(db, user.id, conversation))!;
      return {
        kind: 'read',
        id: formatMessageId(target.epoch, after.seq),
        unread: Math.max(0, target.message_count - after.ordinal),
        moved: moved !== undefined,
      };
    });
  }

  private pointer(
    db: Kysely<DatabaseSchema>,
    userId: string,
    conversation: string,
  ): Promise<Pointer | undefined> {
    return db
      .selectFrom('read_pointers')
      .select(['seq', 'ordinal'])
      .where('user_id', '=', userId)
      .where('conversation', '=', conversation)
      .executeTakeFirst();
  }
}
