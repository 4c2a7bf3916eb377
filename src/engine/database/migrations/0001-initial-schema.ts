import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Conversations, messages and read pointers, in types both dialects have: text, bigint (an integer in
 * SQLite, read as a number in both) and boolean (0/1 in SQLite); times are milliseconds since the epoch.
 */
export const initialSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('conversations')
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('room', 'dm')`))
      .addColumn('epoch', 'text', (col) => col.notNull())
      .addColumn('last_seq', 'bigint', (col) => col.notNull())
      .addColumn('message_count', 'bigint', (col) => col.notNull())
      .addColumn('member_a', 'text')
      .addColumn('member_b', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    // A user's direct conversations, for the list of conversations.
    await db.schema
      .createIndex('conversations_member_a')
      .on('conversations')
      .column('member_a')
      .where('member_a', 'is not', null)
      .execute();
    await db.schema
      .createIndex('conversations_member_b')
      .on('conversations')
      .column('member_b')
      .where('member_b', 'is not', null)
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('conversation', 'text', (col) => col.notNull())
      .addColumn('seq', 'bigint', (col) => col.notNull())
      .addColumn('kind', 'text', (col) =>
        col.notNull().check(sql`kind in ('message', 'edit', 'delete')`),
      )
      .addColumn('target_seq', 'bigint')
      .addColumn('sender_id', 'text', (col) => col.notNull())
      .addColumn('sender_name', 'text', (col) => col.notNull())
      .addColumn('text', 'text')
      .addColumn('ts', 'bigint', (col) => col.notNull())
      .addColumn('client_msg_id', 'text')
      .addColumn('ordinal', 'bigint')
      // Keyset pagination and recovery read (conversation, seq) ranges through this key.
      .addPrimaryKeyConstraint('messages_pk', ['conversation', 'seq'])
      .execute();
    // Durable dedupe: a resend of a clientMsgId by the same sender finds the first message.
    await db.schema
      .createIndex('messages_sender_client_msg_id')
      .on('messages')
      .columns(['sender_id', 'client_msg_id'])
      .unique()
      .where('client_msg_id', 'is not', null)
      .execute();

    await db.schema
      .createTable('read_pointers')
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('conversation', 'text', (col) => col.notNull())
      .addColumn('seq', 'bigint', (col) => col.notNull())
      .addColumn('ordinal', 'bigint', (col) => col.notNull())
      .addColumn('private', 'boolean', (col) => col.notNull().defaultTo(false))
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('read_pointers_pk', ['user_id', 'conversation'])
      .execute();
  },
};
