import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { MIGRATIONS, migrateToLatest } from '../src/engine/database/database-migrations.js';
import { PostgresDatabase } from '../src/engine/database/postgres-database.js';
import { SqliteDatabase } from '../src/engine/database/sqlite-database.js';
import type { Database } from '../src/engine/database/database.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './utils/database.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

/** Opens the test database's URL as the server does. */
function open(database: TestDatabase): Database {
  return database.kind === 'sqlite'
    ? new SqliteDatabase(database.url.slice('sqlite:'.length))
    : new PostgresDatabase({ url: database.url, poolSize: 1, onIdleError: () => undefined });
}

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let database: TestDatabase;
  let sut: Database;

  beforeEach(async () => {
    database = await createTestDatabase(kind, 'migrations');
    sut = open(database);
  });

  afterEach(async () => {
    await sut.close();
    await database.drop();
  });

  it('applies every migration, in order, to an empty database', async () => {
    const applied = await migrateToLatest(sut.db, await sut.migrationSchema());

    expect(applied).toEqual(Object.keys(MIGRATIONS));
    const tables = (await sut.db.introspection.getTables()).map((table) => table.name);
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages', 'read_pointers']));
  });

  it('does nothing when run again', async () => {
    await migrateToLatest(sut.db, await sut.migrationSchema());

    const again = await migrateToLatest(sut.db, await sut.migrationSchema());

    expect(again).toEqual([]);
  });

  it('refuses a second message with one sender and clientMsgId, and takes any number without one', async () => {
    await migrateToLatest(sut.db, await sut.migrationSchema());
    const row = {
      conversation: 'room:a',
      kind: 'message' as const,
      target_seq: null,
      sender_id: 'u1',
      sender_name: 'one',
      text: 'hi',
      ts: 1,
      ordinal: null,
    };
    await sut.db
      .insertInto('messages')
      .values([
        { ...row, seq: 1, client_msg_id: null },
        { ...row, seq: 2, client_msg_id: null },
        { ...row, seq: 3, client_msg_id: 'c1' },
      ])
      .execute();

    const second = sut.db
      .insertInto('messages')
      .values({ ...row, seq: 4, client_msg_id: 'c1' })
      .execute();

    await expect(second).rejects.toSatisfy((error) => sut.isUniqueViolation(error));
  });

  it('reads bigint columns back as numbers', async () => {
    await migrateToLatest(sut.db, await sut.migrationSchema());
    await sql`insert into conversations (key, kind, epoch, last_seq, message_count, created_at)
      values ('room:big', 'room', 'e', 9007199254740991, 0, 1)`.execute(sut.db);

    const row = await sut.db
      .selectFrom('conversations')
      .select('last_seq')
      .where('key', '=', 'room:big')
      .executeTakeFirstOrThrow();

    expect(row.last_seq).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('npm run db:migrate', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-db-migrate-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates and migrates an empty SQLite file, then finds nothing to do', async () => {
    const path = join(dir, 'deep', 'chat.db');
    // --ignore-scripts skips the `nest build` before it: `npm test` has built dist/ already.
    const migrate = () =>
      run('npm', ['run', '--silent', '--ignore-scripts', 'db:migrate'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${path}` },
      });

    const first = await migrate();
    const second = await migrate();

    expect(existsSync(path)).toBe(true);
    expect(first.stdout).toContain('migrated: 0001-initial-schema');
    expect(second.stdout).toContain('already at the latest schema');
    const inspector = new SqliteDatabase(path);
    try {
      const tables = (await inspector.db.introspection.getTables()).map((table) => table.name);
      expect(tables).toEqual(
        expect.arrayContaining(['conversations', 'messages', 'read_pointers']),
      );
    } finally {
      await inspector.close();
    }
  });
});
