import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './database-schema.js';

/** One open database, whichever the dialect: Kysely for reads, and the one way batches are written. */
export abstract class Database {
  /** Which SQL the database speaks. */
  abstract readonly dialect: 'postgres' | 'sqlite';
  /** Reads and migrations (PostgreSQL: the reader pool). */
  abstract readonly db: Kysely<DatabaseSchema>;

  /**
   * Runs `write` as the only writer of these conversations in the whole deployment until it settles:
   * its transaction and whatever follows the commit (the publish), so that publish order is commit order.
   */
  abstract writeExclusively<T>(
    conversations: readonly string[],
    write: (writer: Kysely<DatabaseSchema>) => Promise<T>,
  ): Promise<T>;

  /** Whether a failed write broke a unique key (two nodes storing one clientMsgId at once). */
  abstract isUniqueViolation(error: unknown): boolean;

  /** Where Kysely's own migration tables go (PostgreSQL: the connection's schema). */
  abstract migrationSchema(): Promise<string | undefined>;

  /** Closes every connection. */
  abstract close(): Promise<void>;
}
