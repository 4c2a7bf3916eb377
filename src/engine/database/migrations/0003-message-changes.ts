import type { Kysely, Migration } from 'kysely';

/**
 * Edits and deletions applied to the message they change (`edited_at`, `deleted_at`), so that reads show
 * current state from the row alone; an index from a message to its edit entries (a deletion purges their
 * text), and one on `ts` for the retention purge, which deletes the oldest entries in small batches.
 */
export const messageChanges: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
    await db.schema.alterTable('messages').addColumn('deleted_at', 'bigint').execute();
    await db.schema
      .createIndex('messages_target')
      .on('messages')
      .columns(['conversation', 'target_seq'])
      .where('target_seq', 'is not', null)
      .execute();
    await db.schema.createIndex('messages_ts').on('messages').column('ts').execute();
  },
};
