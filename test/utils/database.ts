import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/engine/database/database.js';
import type { DatabaseSchema } from '../../src/engine/database/database-schema.js';
import { PostgresDatabase } from '../../src/engine/database/postgres-database.js';
import { SqliteDatabase } from '../../src/engine/database/sqlite-database.js';
import { ConversationKey } from '../../src/engine/database/conversation-key.js';

/** The PostgreSQL on this machine (CI starts it when it is not running); trust auth. */
export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The databases a durable suite runs against, each in `describe.each`. */
export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;

/** Which database a suite runs against. */
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** A database of a test file's own: its DATABASE_URL, a connection to look inside, and its removal. */
export interface TestDatabase {
  kind: DatabaseKind;
  /** DATABASE_URL for the apps under test. */
  url: string;
  /** Kysely on the same database, for assertions on what was stored (open it after an app migrated it). */
  db(): Kysely<DatabaseSchema>;
  /** Closes the assertion connection and removes the database (file or schema) with all it holds. */
  drop(): Promise<void>;
}

/**
 * A fresh database no other test file sees: a SQLite file in a new temporary directory, or a new
 * schema in the shared PostgreSQL (`sb_<label>_<random>`, the apps reaching it through `search_path` in
 * DATABASE_URL's `options`), dropped by `drop()`.
 */
export async function createTestDatabase(kind: DatabaseKind, label: string): Promise<TestDatabase> {
  let inspector: Database | undefined;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `sb-${label}-`));
    const path = join(dir, 'nested', 'switchboard.db');
    return {
      kind,
      url: `sqlite:${path}`,
      db: () => (inspector ??= new SqliteDatabase(path)).db,
      async drop() {
        await inspector?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `sb_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    kind,
    url,
    db: () =>
      (inspector ??= new PostgresDatabase({ url, poolSize: 2, onIdleError: () => undefined })).db,
    async drop() {
      await inspector?.close();
      await adminQuery(`drop schema ${schema} cascade`);
    },
  };
}

/**
 * A fresh database for each `describe` block using it: created before its tests, dropped after them;
 * the handle speaks for the current one.
 */
export function databasePerSuite(kind: DatabaseKind, label: string): TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(kind, label);
  });
  afterAll(async () => {
    await current?.drop();
    current = undefined;
  });
  const the = (): TestDatabase => {
    if (!current) throw new Error('databasePerSuite: the database exists only inside its describe');
    return current;
  };
  return {
    kind,
    get url() {
      return the().url;
    },
    db: () => the().db(),
    drop: () => the().drop(),
  };
}

/** A room's log as stored: every row (messages, edits, deletions) in sequence order, for assertions. */
export function roomLog(
  database: TestDatabase,
  room: string,
): Promise<Array<{ seq: number; kind: string; text: string | null }>> {
  return database
    .db()
    .selectFrom('messages')
    .select(['seq', 'kind', 'text'])
    .where('conversation', '=', ConversationKey.room(room))
    .orderBy('seq')
    .execute();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
