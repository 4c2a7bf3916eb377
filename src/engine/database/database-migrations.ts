import { Migrator, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { initialSchema } from './migrations/0001-initial-schema.js';
import { conversationList } from './migrations/0002-conversation-list.js';
import { messageChanges } from './migrations/0003-message-changes.js';
import { moderation } from './migrations/0004-moderation.js';

/**
 * Every migration, by name (`NNNN-what`), forward only; Kysely runs them in name order. Listed in code
 * rather than found on disk, so that they run the same from `dist/`, from vitest and from a bundle.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial-schema': initialSchema,
  '0002-conversation-list': conversationList,
  '0003-message-changes': messageChanges,
  '0004-moderation': moderation,
};

/**
 * Brings a database to the latest schema, each migration once (a run that finds nothing to do does
 * nothing); resolves with the names it applied, rejects with the first failure. `schema` is where
 * Kysely's own bookkeeping tables go (PostgreSQL: the connection's current schema). Untyped: migrations
 * see the database as it was when each was written, not as the schema types say it is now.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? [])
    .filter((result: MigrationResult) => result.status === 'Success')
    .map((result) => result.migrationName);
}
