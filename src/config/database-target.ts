/** Where history is kept, as DATABASE_URL (with REDIS_URL) settles it. */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'sqlite'; path: string }
  /** No database: the memory engine's history, or the Redis streams when REDIS_URL is set. */
  | { kind: 'memory' };

/** The embedded file `npm start` keeps history in when neither DATABASE_URL nor REDIS_URL is set. */
export const DEFAULT_SQLITE_PATH = './data/switchboard.db';

/**
 * Resolves DATABASE_URL: PostgreSQL for `postgres://`/`postgresql://`, a SQLite file for `sqlite:<path>`,
 * no database for `memory`; unset means the default SQLite file on one node, and no database beside
 * REDIS_URL (several nodes cannot share an embedded file).
 */
export function databaseTarget(settings: {
  DATABASE_URL?: string;
  REDIS_URL?: string;
}): DatabaseTarget {
  const url = settings.DATABASE_URL;
  if (url === undefined) {
    return settings.REDIS_URL ? { kind: 'memory' } : { kind: 'sqlite', path: DEFAULT_SQLITE_PATH };
  }
  if (url === 'memory') return { kind: 'memory' };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  return { kind: 'postgres', url };
}
