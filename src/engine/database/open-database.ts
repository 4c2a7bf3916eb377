import type { DatabaseTarget } from '../../config/database-target.js';
import type { Database } from './database.js';
import { PostgresDatabase } from './postgres-database.js';
import { SqliteDatabase } from './sqlite-database.js';

/** Opens the database DATABASE_URL names (PostgreSQL connects lazily, on the first query). */
export function openDatabase(
  target: Exclude<DatabaseTarget, { kind: 'memory' }>,
  options: { poolSize: number; onIdleError: (error: Error) => void },
): Database {
  return target.kind === 'postgres'
    ? new PostgresDatabase({ url: target.url, ...options })
    : new SqliteDatabase(target.path);
}
