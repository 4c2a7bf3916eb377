import { ChildServer } from '../../test/utils/child-server.mjs';
import { freePort } from '../../test/utils/free-port.mjs';
import { acceptsTcp } from '../../test/utils/probes.mjs';
import { spawnNode } from './child.mjs';
import { processCpuMicros } from './process-cpu.mjs';

const START_TIMEOUT_MS = 30_000;
/** Settings of this process's environment a server does not inherit: they would change what is measured. */
const NOT_INHERITED = ['REDIS_URL', 'REDIS_KEY_PREFIX', 'OPS_PORT'];
/** Servers still running; killed if the bench itself exits early, so that none outlives it. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One server under test in its own process (see ChildServer): started, measured from /proc, and stopped. */
export class ServerProcess extends ChildServer {
  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {{ name: string, logFile: string }} options
   * @param {number} port
   */
  constructor(child, options, port) {
    super(child, options);
    this.port = port;
    running.add(child);
    void this.exited.then(() => running.delete(child));
  }

  /**
   * Starts `node [nodeFlags] entry` with `env` and resolves once it accepts TCP connections on `port`.
   * @param {{ name: string, entry: string, nodeFlags?: string[], env: Record<string, string>, port: number,
   *   logFile: string, ipc?: boolean, cwd: string }} options
   */
  static async start({ name, entry, nodeFlags = [], env, port, logFile, ipc, cwd }) {
    const child = spawnNode({ nodeArgs: [...nodeFlags, entry], env, logFile, ipc, cwd });
    const server = new ServerProcess(child, { name, logFile }, port);
    try {
      await server.waitReady(() => acceptsTcp(port), `to listen on ${port}`, START_TIMEOUT_MS);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /**
   * Starts a server on a free port of 127.0.0.1, with this process's environment (less Redis and the ops
   * port) and `env` on top; the other options as `start` takes them.
   * @param {{ name: string, entry: string, nodeFlags?: string[], env: Record<string, string>,
   *   logFile: string, ipc?: boolean, cwd: string }} options
   */
  static async startOnFreePort({ env, ...options }) {
    const port = await freePort();
    const serverEnv = { ...process.env };
    for (const key of NOT_INHERITED) delete serverEnv[key];
    Object.assign(serverEnv, env, { PORT: String(port), HOST: '127.0.0.1' });
    return ServerProcess.start({ ...options, env: serverEnv, port });
  }

  /** CPU the server has used so far, in microseconds. */
  cpuMicros() {
    return processCpuMicros(this.pid);
  }

  /** Memory after two forced collections, from the preloaded memory hook (needs `ipc`). */
  memory(timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no memory answer`)),
        timeoutMs,
      );
      const onMessage = (message) => {
        if (message?.type !== 'bench:memory') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'bench:memory' });
    });
  }
}
