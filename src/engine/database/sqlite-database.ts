import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database } from './database.js';
import type { DatabaseSchema } from './database-schema.js';
import { SqliteStatementCache } from './sqlite-statement-cache.js';

/** How long a statement waits for another process's lock on the file before it fails. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * An embedded SQLite file, one connection (better-sqlite3 is synchronous; Kysely queues queries on it,
 * so a batch's transaction runs alone). WAL journal with `synchronous=NORMAL`: a commit survives the
 * process being killed (kill -9, a crash), since the WAL is in the operating system's hands; only a power
 * loss or an OS crash may lose the last commits, never corrupt the file.
 */
export class SqliteDatabase extends Database {
  readonly dialect = 'sqlite';
  readonly db: Kysely<DatabaseSchema>;

  constructor(path: string) {
    super();
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const connection = new BetterSqlite3(path);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db = new Kysely({
      dialect: new SqliteDialect({ database: new SqliteStatementCache(connection) }),
    });
  }

  async writeExclusively<T>(
    _conversations: readonly string[],
    write: (writer: Kysely<DatabaseSchema>) => Promise<T>,
  ): Promise<T> {
    // One node per file, and its write queue writes one batch at a time: nothing to lock.
    return write(this.db);
  }

  isUniqueViolation(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }

  async migrationSchema(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
