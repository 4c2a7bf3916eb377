import { Injectable } from '@nestjs/common';
import {
  moderationKeyString,
  ModerationStore,
  type ModerationEntry,
  type ModerationFull,
  type ModerationKey,
} from '../moderation-store.js';
import { DatabaseConnection } from './database-connection.js';
import type { ModerationEntriesTable } from './database-schema.js';

/**
 * Moderation entries in the database, so that a ban outlives a restart of every node: a row per entry,
 * those that ended deleted as entries are set and loaded. The bound on entries is checked in the
 * transaction that sets one (nodes setting at the same moment may each pass it once).
 */
@Injectable()
export class DatabaseModerationStore extends ModerationStore {
  constructor(private readonly connection: DatabaseConnection) {
    super();
  }

  async load(now: number): Promise<ModerationEntry[]> {
    const rows = await this.connection.track(async ({ db }) => {
      await db.deleteFrom('moderation_entries').where('until', '<=', now).execute();
      return db.selectFrom('moderation_entries').selectAll().execute();
    });
    return rows.map(entryOf);
  }

  async set(entry: ModerationEntry, max: number, now: number): Promise<ModerationFull | undefined> {
    const row = rowOf(entry);
    return this.connection.track(({ db }) =>
      db.transaction().execute(async (tx) => {
        await tx.deleteFrom('moderation_entries').where('until', '<=', now).execute();
        const known = await tx
          .selectFrom('moderation_entries')
          .select('key')
          .where('key', '=', row.key)
          .executeTakeFirst();
        if (!known) {
          const { count } = await tx
            .selectFrom('moderation_entries')
            .select((eb) => eb.fn.countAll<number | string>().as('count'))
            .executeTakeFirstOrThrow();
          if (Number(count) >= max) return { refused: 'full', max } as const;
        }
        await tx
          .insertInto('moderation_entries')
          .values(row)
          .onConflict((conflict) =>
            conflict.column('key').doUpdateSet({
              until: row.until,
              reason: row.reason,
              interval_ms: row.interval_ms,
              set_by: row.set_by,
              set_at: row.set_at,
            }),
          )
          .execute();
        return undefined;
      }),
    );
  }

  async lift(key: ModerationKey): Promise<boolean> {
    const result = await this.connection.track(({ db }) =>
      db
        .deleteFrom('moderation_entries')
        .where('key', '=', moderationKeyString(key))
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }
}

function rowOf(entry: ModerationEntry): ModerationEntriesTable {
  return {
    key: moderationKeyString(entry),
    kind: entry.kind,
    scope: entry.scope,
    user_id: entry.userId,
    until: entry.until ?? null,
    reason: entry.reason ?? null,
    interval_ms: entry.intervalMs ?? null,
    set_by: entry.by,
    set_at: entry.at,
  };
}

function entryOf(row: ModerationEntriesTable): ModerationEntry {
  const entry: ModerationEntry = {
    kind: row.kind,
    scope: row.scope,
    userId: row.user_id,
    by: row.set_by,
    at: Number(row.set_at),
  };
  if (row.until !== null) entry.until = Number(row.until);
  if (row.reason !== null) entry.reason = row.reason;
  if (row.interval_ms !== null) entry.intervalMs = Number(row.interval_ms);
  return entry;
}
