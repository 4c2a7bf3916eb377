import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresAdmin } from './bench-database.mjs';
import { snapshotDist } from './dist-snapshot.mjs';
import { RedisAdmin } from './redis-admin.mjs';

/**
 * @typedef {object} BenchContext
 * @property {string} root the repository root
 * @property {string} runId
 * @property {string} logDir where every process of the run logs
 * @property {string} memoryHook absolute path of bench/servers/memory-hook.mjs
 * @property {string} redisUrl
 * @property {string} redisPrefix this run's Redis key prefix; each session adds its own below it
 * @property {RedisAdmin | undefined} redis
 * @property {number | undefined} redisPid
 * @property {PostgresAdmin | undefined} postgres the bench's own connection, when an arm uses PostgreSQL
 * @property {import('../profiles.mjs').Profile} profile
 * @property {number} retriesLeft how many more runs may be repeated because others loaded the machine
 * @property {Record<string, string>} entries entry points that differ from the arm's (Switchboard's dist copy)
 * @property {() => Promise<void>} close releases what the context holds
 */

/** Everything the scenarios share during one run of the bench. */
export async function createBenchContext({ profile, redisUrl, needsRedis, postgresUrl }) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const logDir = join(root, 'bench', 'results', `logs-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const redis = needsRedis ? await RedisAdmin.connect(redisUrl) : undefined;
  const postgres = postgresUrl ? new PostgresAdmin(postgresUrl) : undefined;
  // Fails now rather than in the first arm that needs it.
  await postgres?.query('select 1').catch(async (error) => {
    await postgres.close();
    await redis?.close();
    throw new Error(
      `PostgreSQL at ${postgresUrl} is unreachable (${error.message}): start it, set BENCH_POSTGRES_URL, or leave out the arm switchboard-postgres with --arms`,
    );
  });
  const dist = snapshotDist(root, runId);
  return {
    root,
    runId,
    logDir,
    memoryHook: join(root, 'bench', 'servers', 'memory-hook.mjs'),
    redisUrl,
    redisPrefix: `bench:${runId}:${process.pid}:`,
    redis,
    redisPid: redis ? await redis.pid() : undefined,
    postgres,
    profile,
    retriesLeft: profile.noiseRetries,
    entries: { switchboard: dist.entry },
    async close() {
      dist.remove();
      await redis?.close();
      await postgres?.close();
    },
  };
}
