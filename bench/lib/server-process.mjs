import { ChildServer } from '../../test/utils/child-server.mjs';
import { acceptsTcp } from '../../test/utils/probes.mjs';
import { spawnNode } from './child.mjs';
import { processCpuMicros } from './process-cpu.mjs';

const START_TIMEOUT_MS = 30_000;
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
