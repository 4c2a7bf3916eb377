import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnNode } from './child.mjs';
import { processCpuMicros } from './process-cpu.mjs';

const START_TIMEOUT_MS = 30_000;
/** Servers still running; killed if the bench itself exits early, so that none outlives it. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One server under test in its own process: started, waited for, measured from /proc, and killed. */
export class ServerProcess {
  constructor(child, name, port) {
    this.child = child;
    this.name = name;
    this.port = port;
    this.exited = false;
    running.add(child);
    child.once('exit', () => {
      this.exited = true;
      running.delete(child);
    });
  }

  /**
   * Starts `node [nodeFlags] entry` with `env` and resolves once it accepts TCP connections on `port`.
   * @param {{ name: string, entry: string, nodeFlags?: string[], env: Record<string, string>, port: number,
   *   logFile: string, ipc?: boolean, cwd: string }} options
   */
  static async start({ name, entry, nodeFlags = [], env, port, logFile, ipc, cwd }) {
    const child = spawnNode({ nodeArgs: [...nodeFlags, entry], env, logFile, ipc, cwd });
    const server = new ServerProcess(child, name, port);
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (server.exited) throw new Error(`${name} exited while starting; see ${logFile}`);
      if (performance.now() > deadline) {
        await server.stop();
        throw new Error(`${name} did not listen on ${port} within ${START_TIMEOUT_MS} ms`);
      }
      await sleep(50);
    }
    return server;
  }

  /** The server's pid. */
  get pid() {
    return this.child.pid;
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

  /** Stops the server with `signal` (SIGKILL unless told), waiting up to `timeoutMs` before SIGKILL. */
  async stop(signal = 'SIGKILL', timeoutMs = 15_000) {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
