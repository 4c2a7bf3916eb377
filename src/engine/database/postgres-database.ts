import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { Database } from './database.js';
import type { DatabaseSchema } from './database-schema.js';

/** The first key of every advisory lock Switchboard takes, so that its locks meet no one else's. */
const LOCK_NAMESPACE = 0x5342;
/** How long a new connection may take before the operation waiting for it fails as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;
const INT8_OID = 20;

/** How PostgreSQL is opened: where, how many reader connections, who hears idle connections fail. */
export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** An idle pooled connection failed (the server went away): called instead of crashing the process. */
  onIdleError: (error: Error) => void;
}

/**
 * PostgreSQL through two pools: readers (DATABASE_POOL_SIZE) and a writer of one connection. Batches are
 * written on the writer under session-level advisory locks, one per conversation, taken in a fixed order
 * before the transaction and released after the publish: two nodes writing one room then commit and
 * publish in the same order (without them node B could commit seq 6 after A's seq 5 and publish first,
 * and the fan-out, which drops ids older than the last it delivered, would lose 5 on every node).
 * Pooled connections that break are replaced on the next use, so the pools recover when the server returns.
 */
export class PostgresDatabase extends Database {
  readonly dialect = 'postgres';
  readonly db: Kysely<DatabaseSchema>;
  private readonly writer: Kysely<DatabaseSchema>;

  constructor(options: PostgresOptions) {
    super();
    this.db = new Kysely({
      dialect: new PostgresDialect({ pool: pool(options, options.poolSize) }),
    });
    this.writer = new Kysely({ dialect: new PostgresDialect({ pool: pool(options, 1) }) });
  }

  async writeExclusively<T>(
    conversations: readonly string[],
    write: (writer: Kysely<DatabaseSchema>) => Promise<T>,
  ): Promise<T> {
    const locks = lockKeys(conversations);
    return this.writer.connection().execute(async (connection) => {
      // unnest yields the keys in array order, and each lock is taken as its row is produced: sorted,
      // so that two writers wanting the same rooms never wait on each other in a cycle.
      await sql`select pg_advisory_lock(${LOCK_NAMESPACE}::int4, k) from unnest(${locks}::int4[]) as k`.execute(
        connection,
      );
      try {
        return await write(connection);
      } finally {
        // A connection that broke meanwhile has lost its locks with its session.
        await sql`select pg_advisory_unlock_all()`.execute(connection).catch(() => undefined);
      }
    });
  }

  isUniqueViolation(error: unknown): boolean {
    return (error as { code?: unknown } | undefined)?.code === '23505';
  }

  async migrationSchema(): Promise<string> {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      this.db,
    );
    return rows[0].schema;
  }

  async close(): Promise<void> {
    await Promise.all([this.db.destroy(), this.writer.destroy()]);
  }
}

function pool(options: PostgresOptions, max: number): pg.Pool {
  const created = new pg.Pool({
    connectionString: options.url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // bigint columns (sequence numbers, times in ms) as numbers: both stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle connection's error (the server restarting) would crash the process.
  created.on('error', options.onIdleError);
  // The pool listens only while a connection is idle: one in use (the writer's, held through a batch)
  // that breaks would emit an unheard 'error' and crash the process. Its query fails by itself, and the
  // pool drops the connection when it is released.
  created.on('connect', (client) => client.on('error', ignoreInUseError));
  return created;
}

/** A broken connection in use is reported by its failing query, not by its 'error' event. */
function ignoreInUseError(): void {}

/** The advisory lock key of each conversation (FNV-1a, 32 bits), deduplicated and sorted. */
export function lockKeys(conversations: readonly string[]): number[] {
  const keys = new Set<number>();
  for (const conversation of conversations) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < conversation.length; i += 1) {
      hash ^= conversation.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    keys.add(hash | 0);
  }
  return [...keys].sort((a, b) => a - b);
}
