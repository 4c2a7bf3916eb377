import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { killGroup, spawnOwned } from './owned-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'dist/main.js';

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `node dist/main.js` as a child process, configured only by `env` (plus PATH), as it runs in production.
 * Every wait has a timeout that names what it waited for; `kill()` ends it for good.
 */
export class ServerProcess {
  private out = '';
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Starts the built server with this environment; it has not necessarily started listening. */
  static spawn(env: Record<string, string>): ServerProcess {
    if (!existsSync(`${ROOT}${MAIN}`))
      throw new Error(`${MAIN} is missing: run \`npx nest build\``);
    const child = spawnOwned(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child);
  }

  /** Starts the built server on `PORT` and resolves once it answers /health/live (on OPS_PORT when set). */
  static async start(env: Record<string, string> & { PORT: string }, timeoutMs = 20_000) {
    const server = ServerProcess.spawn({ HOST: '127.0.0.1', OPS_HOST: '127.0.0.1', ...env });
    await server.waitReady(Number(env.OPS_PORT ?? env.PORT), timeoutMs);
    return server;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.out;
  }

  /** The output's lines, each parsed as JSON (as pino writes them); throws naming a line that is not JSON. */
  get logLines(): Record<string, unknown>[] {
    return this.out
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`the server wrote a line that is not JSON: ${line}`);
        }
      });
  }

  /** Resolves with how the process ended, or throws after the timeout. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for the server process to exit; output:\n${this.out.slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal to the process. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the process if it still runs, and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.exit) return;
    await killGroup(this.child);
    await this.exited;
  }

  private async waitReady(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) {
        throw new Error(
          `the server process exited (${JSON.stringify(this.exit)}) before it was ready; output:\n${this.out.slice(-2000)}`,
        );
      }
      const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (response) => response.ok,
        () => false,
      );
      if (live) return;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for the server process to answer /health/live; output:\n${this.out.slice(-2000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
