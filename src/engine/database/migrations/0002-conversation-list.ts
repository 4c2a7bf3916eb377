import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What the conversation list and read state need: each conversation's time of last activity (kept by the
 * batch's sequence upsert, so sorting needs no message lookup), each pointer's user name (how a DM lists
 * the other user), the last message found by its ordinal, and a pointer row for both users of every
 * DM conversation stored before (a pointer row is what lists a conversation for a user).
 */
export const conversationList: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable('conversations')
      .addColumn('active_at', 'bigint', (col) => col.notNull().defaultTo(0))
      .execute();
    await sql`update conversations set active_at = coalesce((select max(m.ts) from messages m where m.conversation = conversations.key), created_at)`.execute(
      db,
    );
    await db.schema.alterTable('read_pointers').addColumn('user_name', 'text').execute();
    // The last message of a conversation is the one whose ordinal is its message_count.
    await db.schema
      .createIndex('messages_conversation_ordinal')
      .on('messages')
      .columns(['conversation', 'ordinal'])
      .where('ordinal', 'is not', null)
      .execute();
    for (const member of ['member_a', 'member_b']) {
      await sql`insert into read_pointers (user_id, conversation, seq, ordinal, updated_at)
        select ${sql.ref(member)}, key, 0, 0, created_at from conversations where kind = 'dm'
        on conflict do nothing`.execute(db);
    }
  },
};
