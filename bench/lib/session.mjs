import { join } from 'node:path';
import { createBenchDatabase } from './bench-database.mjs';
import { LoadGenerator } from './load-generator.mjs';
import { ServerProcess } from './server-process.mjs';

let sessions = 0;

/**
 * @typedef {object} Session
 * @property {import('../arms.mjs').Arm} arm
 * @property {ServerProcess[]} servers
 * @property {number[]} ports
 * @property {LoadGenerator} loadgen
 * @property {string | undefined} redisPrefix
 * @property {import('./bench-database.mjs').BenchDatabase | undefined} database the arm's database, if any
 */

/**
 * Starts an arm's server (or `nodes` of them sharing Redis) and a load generator, runs `use` with them,
 * and tears everything down, whatever happened: servers first (they then hold TIME_WAIT, not the load
 * generator's ephemeral ports), then the generator, then the session's Redis keys and database.
 * An arm with a `database` gets a fresh one of its own (a SQLite file or a PostgreSQL schema) as its
 * DATABASE_URL; `prepare` runs on it before the servers start (they migrate it on start otherwise).
 * @template T
 * @param {import('./bench-context.mjs').BenchContext} ctx
 * @param {{ arm: import('../arms.mjs').Arm, nodes?: number, redis?: boolean, memoryHook?: boolean,
 *   nodeFlags?: string[], stopSignal?: NodeJS.Signals, env?: Record<string, string>,
 *   prepare?: (database: import('./bench-database.mjs').BenchDatabase) => Promise<void> }} options
 *   `stopSignal` other than SIGKILL lets the server exit by itself (to write a --cpu-prof profile);
 *   `env` is added to the arm's
 * @param {(session: Session) => Promise<T>} use
 * @returns {Promise<T>}
 */
export async function withSession(
  ctx,
  {
    arm,
    nodes = 1,
    redis = false,
    memoryHook = false,
    nodeFlags = [],
    stopSignal = 'SIGKILL',
    env: extraEnv = {},
    prepare,
  },
  use,
) {
  const id = (sessions += 1);
  const redisPrefix = redis ? `${ctx.redisPrefix}${id}:` : undefined;
  const servers = [];
  let loadgen;
  let database;
  try {
    if (arm.database) {
      database = await createBenchDatabase({
        kind: arm.database,
        label: `${ctx.runId}_${id}`,
        admin: ctx.postgres,
      });
      await prepare?.(database);
    }
    for (let node = 0; node < nodes; node += 1) {
      const env = {
        ...arm.env,
        ...(database ? { DATABASE_URL: database.url } : {}),
        ...extraEnv,
        ...(redisPrefix ? { REDIS_URL: ctx.redisUrl, REDIS_KEY_PREFIX: redisPrefix } : {}),
      };
      const flags = memoryHook
        ? ['--expose-gc', '--import', ctx.memoryHook, ...nodeFlags]
        : nodeFlags;
      servers.push(
        await ServerProcess.startOnFreePort({
          name: `${arm.id}#${node}`,
          entry: ctx.entries[arm.id] ?? arm.entry,
          nodeFlags: flags,
          env,
          logFile: join(ctx.logDir, `${String(id).padStart(3, '0')}-${arm.id}-${node}.log`),
          ipc: memoryHook,
          cwd: ctx.root,
        }),
      );
    }
    loadgen = LoadGenerator.start(join(ctx.logDir, `${String(id).padStart(3, '0')}-load.log`));
    return await use({
      arm,
      servers,
      ports: servers.map((server) => server.port),
      loadgen,
      redisPrefix,
      database,
    });
  } finally {
    await Promise.all(servers.map((server) => server.stop(stopSignal)));
    await loadgen?.close();
    if (redisPrefix) await ctx.redis.deletePrefix(redisPrefix);
    await database?.drop();
  }
}
