import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { processCpuMicros } from './process-cpu.mjs';

/**
 * @typedef {object} BenchDatabase
 * @property {'sqlite' | 'postgres'} kind
 * @property {string} url DATABASE_URL for the servers of the session
 * @property {string | undefined} path the SQLite file
 * @property {string | undefined} schema the PostgreSQL schema
 * @property {() => Promise<number[]>} backendPids pids of the PostgreSQL backends serving it (none for SQLite)
 * @property {() => Promise<void>} drop removes the file or the schema with all it holds
 */

/**
 * The bench's own PostgreSQL connection (BENCH_POSTGRES_URL, default the tests' database on this machine):
 * creates and drops a schema per session, and finds the backends serving one.
 */
export class PostgresAdmin {
  constructor(url) {
    this.url = url;
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    this.pool.on('error', () => undefined);
  }

  /** One statement; resolves with its rows. */
  async query(text, values) {
    return (await this.pool.query(text, values)).rows;
  }

  /** Closes the connections. */
  close() {
    return this.pool.end();
  }
}

/**
 * A database of a session's own: a SQLite file in a new temporary directory, or a new schema in the
 * shared PostgreSQL (`bench_<label>_<random>`), which the servers reach through `search_path` in
 * DATABASE_URL's `options`, with `application_name` set to the schema's name so that its backends can be
 * found in `pg_stat_activity`. Empty: the servers migrate it when they start.
 * @param {{ kind: 'sqlite' | 'postgres', label: string, admin?: PostgresAdmin }} options
 * @returns {Promise<BenchDatabase>}
 */
export async function createBenchDatabase({ kind, label, admin }) {
  const tag = label.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `sb-bench-${tag}-`));
    const path = join(dir, 'switchboard.db');
    return {
      kind,
      url: `sqlite:${path}`,
      path,
      schema: undefined,
      backendPids: async () => [],
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!admin) throw new Error('a PostgreSQL database needs the bench to reach PostgreSQL');
  const schema = `bench_${tag}_${randomBytes(4).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const options = encodeURIComponent(`-c search_path=${schema}`);
  const url = `${admin.url}${admin.url.includes('?') ? '&' : '?'}options=${options}&application_name=${schema}`;
  return {
    kind,
    url,
    path: undefined,
    schema,
    backendPids: async () =>
      (
        await admin.query('select pid from pg_stat_activity where application_name = $1', [schema])
      ).map((row) => Number(row.pid)),
    drop: () => admin.query(`drop schema ${schema} cascade`).then(() => undefined),
  };
}

/**
 * Starts reading the CPU of a database's PostgreSQL backends (from /proc, as the servers'); `stop()`
 * resolves with what they used since, in microseconds: the backends seen at the start and at the end (a
 * backend that both started and ended in between is missed; the servers' pools keep theirs for 10 s idle).
 * Undefined for SQLite, which runs inside the server.
 * @param {BenchDatabase | undefined} database
 */
export async function backendCpuWindow(database) {
  if (database?.kind !== 'postgres') return undefined;
  const before = new Map((await database.backendPids()).map((pid) => [pid, cpuOf(pid)]));
  return {
    async stop() {
      const after = new Map((await database.backendPids()).map((pid) => [pid, cpuOf(pid)]));
      let micros = 0;
      for (const [pid, cpu] of after) micros += cpu - (before.get(pid) ?? 0);
      return { micros, backends: after.size };
    },
  };
}

function cpuOf(pid) {
  try {
    return processCpuMicros(pid);
  } catch {
    return 0;
  }
}
