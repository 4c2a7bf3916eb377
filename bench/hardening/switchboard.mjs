import { join } from 'node:path';
import { ServerProcess } from '../lib/server-process.mjs';

/**
 * @typedef {object} HardeningRun
 * @property {string} root the repository root
 * @property {string} entry the server's entry point (dist/main.js unless told)
 * @property {string} logDir where each server logs
 */

/**
 * Starts a fresh Switchboard (`node <entry>`, memory engine, logs at warn) with `env` on top of its
 * defaults, runs `use` with it, and kills it whatever happened.
 * @template T
 * @param {HardeningRun} run
 * @param {string} name names the server's log file
 * @param {Record<string, string>} env
 * @param {(server: ServerProcess) => Promise<T>} use
 * @returns {Promise<T>}
 */
export async function withSwitchboard(run, name, env, use) {
  const server = await ServerProcess.startOnFreePort({
    name,
    entry: run.entry,
    env: { LOG_LEVEL: 'warn', DATABASE_URL: 'memory', ...env },
    logFile: join(run.logDir, `${name}.log`),
    cwd: run.root,
  });
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}
