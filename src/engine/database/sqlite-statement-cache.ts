import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept prepared at most; a batch's INSERT text varies with its size, so the cache is bounded. */
const MAX_STATEMENTS = 256;

/**
 * A better-sqlite3 connection as Kysely's `SqliteDialect` uses it, keeping each SQL text's prepared
 * statement for the next query of the same text: Kysely prepares on every query, and the hot queries
 * (a room's latest page, the batch's upsert) repeat.
 */
export class SqliteStatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly connection: BetterSqlite3.Database) {}

  prepare(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= MAX_STATEMENTS) {
        this.statements.delete(this.statements.keys().next().value!);
      }
      this.statements.set(sql, statement);
    }
    return statement as unknown as SqliteStatement;
  }

  close(): void {
    this.statements.clear();
    this.connection.close();
  }
}
