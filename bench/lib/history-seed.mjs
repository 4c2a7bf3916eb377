import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** Every seeded message's text starts with this; its sequence number, zero-padded, makes it 100 characters. */
const TEXT_HEAD = 'history seed message, as long as the bench load generator sends them: ';
const TEXT_LENGTH = 100;
/** Seeded messages come from this many users, in turn. */
const SENDERS = 100;

/**
 * Brings a database to the schema Switchboard uses with its own migrations, as an operator would
 * (`node dist/db-migrate.js`, from the run's copy of dist/); rejects with the output when it fails.
 * @param {string} entry the run's dist/main.js (its db-migrate.js sits beside it)
 * @param {string} url DATABASE_URL
 */
export function migrate(entry, url) {
  const env = { ...process.env, DATABASE_URL: url };
  delete env.REDIS_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dirname(entry), 'db-migrate.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`db-migrate exited ${code}: ${output.trim()}`)),
    );
  });
}

/**
 * Fills room `room` with `count` messages, directly in the database and by its fastest bulk path: on
 * PostgreSQL one `INSERT … SELECT … FROM generate_series`, on SQLite one transaction inserting from a
 * recursive CTE; the conversation's row says `count` messages, as if they had been sent. Then the
 * planner's statistics (and on PostgreSQL the visibility map and hint bits) are brought up to date, as
 * autovacuum would have on a database that grew by itself. Resolves with the epoch and how long it took.
 * @param {import('./bench-database.mjs').BenchDatabase} database migrated, empty
 * @param {{ room: string, count: number }} options
 * @returns {Promise<{ epoch: string, insertMs: number, analyzeMs: number }>}
 */
export async function seedRoom(database, { room, count }) {
  const epoch = randomBytes(5).toString('hex');
  // One message a second, the last one now.
  const firstTs = Date.now() - count * 1000;
  const params = { key: `room:${room}`, epoch, count, firstTs };
  return database.kind === 'sqlite'
    ? seedSqlite(database.path, params)
    : seedPostgres(database.url, params);
}

function seedSqlite(path, { key, epoch, count, firstTs }) {
  const db = new BetterSqlite3(path);
  try {
    const started = performance.now();
    db.transaction(() => {
      db.prepare(
        `insert into conversations (key, kind, epoch, last_seq, message_count, member_a, member_b, created_at)
         values (?, 'room', ?, ?, ?, null, null, ?)`,
      ).run(key, epoch, count, count, firstTs);
      db.prepare(
        `with recursive g(n) as (select 1 union all select n + 1 from g where n < ?)
         insert into messages (conversation, seq, kind, target_seq, sender_id, sender_name, text, ts, client_msg_id, ordinal)
         select ?, n, 'message', null, 'seed-' || (n % ${SENDERS}), 'seed user ' || (n % ${SENDERS}),
           ? || printf('%0${TEXT_LENGTH - TEXT_HEAD.length}d', n), ? + n * 1000, null, n
         from g`,
      ).run(count, key, TEXT_HEAD, firstTs);
    })();
    const inserted = performance.now();
    db.exec('analyze');
    return {
      epoch,
      insertMs: Math.round(inserted - started),
      analyzeMs: Math.round(performance.now() - inserted),
    };
  } finally {
    db.close();
  }
}

async function seedPostgres(url, { key, epoch, count, firstTs }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('begin');
    await client.query(
      `insert into conversations (key, kind, epoch, last_seq, message_count, member_a, member_b, created_at)
       values ($1, 'room', $2, $3, $3, null, null, $4)`,
      [key, epoch, count, firstTs],
    );
    await client.query(
      `insert into messages (conversation, seq, kind, target_seq, sender_id, sender_name, text, ts, client_msg_id, ordinal)
       select $1, n, 'message', null, 'seed-' || (n % ${SENDERS}), 'seed user ' || (n % ${SENDERS}),
         $2 || lpad(n::text, ${TEXT_LENGTH - TEXT_HEAD.length}, '0'), $3::bigint + n * 1000, null, n
       from generate_series(1, $4::bigint) as n`,
      [key, TEXT_HEAD, firstTs, count],
    );
    await client.query('commit');
    const inserted = performance.now();
    await client.query('vacuum analyze conversations, messages');
    return {
      epoch,
      insertMs: Math.round(inserted - started),
      analyzeMs: Math.round(performance.now() - inserted),
    };
  } finally {
    await client.end();
  }
}
