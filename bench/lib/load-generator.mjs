import { fileURLToPath } from 'node:url';
import { spawnNode } from './child.mjs';
import { processCpuMicros } from './process-cpu.mjs';

const ENTRY = fileURLToPath(new URL('../load/main.mjs', import.meta.url));

/** The bench's handle on the load generator process (bench/load/main.mjs): commands over IPC, CPU from /proc. */
export class LoadGenerator {
  constructor(child) {
    this.child = child;
    this.nextId = 0;
    this.pending = new Map();
    this.exited = false;
    child.on('message', ({ id, result, error }) => {
      const request = this.pending.get(id);
      if (!request) return;
      this.pending.delete(id);
      if (error) request.reject(new Error(`load generator: ${error}`));
      else request.resolve(result);
    });
    child.once('exit', (code) => {
      this.exited = true;
      for (const request of this.pending.values())
        request.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  /** Starts the load generator process, logging to `logFile`. */
  static start(logFile) {
    // A larger young generation: the generator allocates a Buffer per received chunk.
    const nodeArgs = ['--max-semi-space-size=32', ENTRY];
    return new LoadGenerator(spawnNode({ nodeArgs, env: process.env, logFile, ipc: true }));
  }

  /** The generator's pid. */
  get pid() {
    return this.child.pid;
  }

  /** CPU the generator has used so far, in microseconds. */
  cpuMicros() {
    return processCpuMicros(this.pid);
  }

  /** Sends one command and resolves with its result; rejects after `timeoutMs`. */
  request(command, args = {}, timeoutMs = 60_000) {
    if (this.exited) return Promise.reject(new Error('load generator is not running'));
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load generator: ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.child.send({ id, command, args });
    });
  }

  /** Closes every client socket and ends the process. */
  async close() {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('close', {}, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
