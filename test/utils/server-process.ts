import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChildServer } from './child-server.mjs';
import { killGroup, spawnOwned } from './owned-process.js';
import { answersHttp } from './probes.mjs';

export type { Exit } from './child-server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'dist/main.js';

/**
 * `node dist/main.js` as a child process, configured only by `env` (plus PATH, and DATABASE_URL=memory
 * unless `env` sets it), as it runs in production;
 * owned by the test run (its teardown kills it if a test does not). Every wait has a timeout that names
 * what it waited for; `kill()` ends it for good.
 */
export class ServerProcess extends ChildServer {
  /** Starts the built server with this environment; it has not necessarily started listening. */
  static spawn(env: Record<string, string>): ServerProcess {
    if (!existsSync(`${ROOT}${MAIN}`))
      throw new Error(`${MAIN} is missing: run \`npx nest build\``);
    const child = spawnOwned(process.execPath, [MAIN], {
      cwd: ROOT,
      // No database unless the test names one: no ./data/ file left behind by a test.
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'memory', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child, { name: 'the server process' });
  }

  /** Starts the built server on `PORT` and resolves once it answers /health/live (on OPS_PORT when set). */
  static async start(
    env: Record<string, string> & { PORT: string },
    timeoutMs = 20_000,
  ): Promise<ServerProcess> {
    const server = ServerProcess.spawn({ HOST: '127.0.0.1', OPS_HOST: '127.0.0.1', ...env });
    const port = env.OPS_PORT ?? env.PORT;
    await server.waitReady(
      () => answersHttp(`http://127.0.0.1:${port}/health/live`),
      'to answer /health/live',
      timeoutMs,
    );
    return server;
  }

  /** Kills the process's whole group if it still runs, and waits for it to be gone. */
  override async kill(): Promise<void> {
    if (this.exit) return;
    await killGroup(this.child);
    await this.exited;
  }
}
