import type { Kysely, Migration } from 'kysely';

/**
 * Moderation entries (bans, mutes, slow modes), kept across restarts: one row per entry, keyed as the
 * engines key them; `until` indexed for the purge of the ones that ended.
 */
export const moderation: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('moderation_entries')
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('scope', 'text', (col) => col.notNull())
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('until', 'bigint')
      .addColumn('reason', 'text')
      .addColumn('interval_ms', 'bigint')
      .addColumn('set_by', 'text', (col) => col.notNull())
      .addColumn('set_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('moderation_entries_until')
      .on('moderation_entries')
      .column('until')
      .execute();
  },
};
