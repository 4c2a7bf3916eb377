import { readFileSync } from 'node:fs';
import { waitFor } from './wait-for.mjs';

/** How much of the output a failed wait quotes. */
const OUTPUT_TAIL = 2000;

/**
 * A server running as a child process, shared by the tests and the benchmarks: how it ended, what it
 * wrote (piped stdout and stderr, or its log file), waits whose errors name what they waited for and
 * quote the output, and stopping it.
 */
export class ChildServer {
  /** @type {string} */
  #piped = '';

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {{ name: string, logFile?: string }} options `logFile` where its output goes when not piped
   */
  constructor(child, { name, logFile }) {
    this.child = child;
    this.name = name;
    this.logFile = logFile;
    /** @type {import('./child-server.d.mts').Exit | undefined} */
    this.exit = undefined;
    child.stdout?.on('data', (chunk) => (this.#piped += String(chunk)));
    child.stderr?.on('data', (chunk) => (this.#piped += String(chunk)));
    /** @type {Promise<import('./child-server.d.mts').Exit>} */
    this.exited = new Promise((resolve) =>
      // 'close', not 'exit': by then the piped output has been read to its end.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** The process id. */
  get pid() {
    return this.child.pid;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output() {
    if (this.logFile === undefined) return this.#piped;
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The output's lines, each parsed as JSON (as pino writes them); throws naming a line that is not JSON. */
  get logLines() {
    return this.output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return /** @type {Record<string, unknown>} */ (JSON.parse(line));
        } catch {
          throw new Error(`${this.name} wrote a line that is not JSON: ${line}`);
        }
      });
  }

  /**
   * Polls `probe` until it is true; throws, quoting the output, if the process exits first or the time runs out.
   * @param {() => boolean | Promise<boolean>} probe
   * @param {string} what what the server is waited for to do, as in "to answer /health/live"
   * @param {number} timeoutMs
   */
  async waitReady(probe, what, timeoutMs) {
    try {
      await waitFor(
        () => {
          if (this.exit)
            throw new Error(
              `${this.name} exited (${JSON.stringify(this.exit)}) before it was ready`,
            );
          return probe();
        },
        `${this.name} ${what}`,
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${/** @type {Error} */ (error).message}; output:\n${this.#tail()}`);
    }
  }

  /**
   * Resolves with how the process ended, or throws after the timeout.
   * @param {number} timeoutMs
   */
  async waitExit(timeoutMs) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${this.name} to exit; output:\n${this.#tail()}`,
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

  /**
   * Sends a signal to the process.
   * @param {NodeJS.Signals} signal
   */
  signal(signal) {
    this.child.kill(signal);
  }

  /**
   * Sends `signal` and waits for the exit; a process still running after `graceMs` is killed.
   * @param {NodeJS.Signals} [signal]
   * @param {number} [graceMs]
   */
  async stop(signal = 'SIGKILL', graceMs = 15_000) {
    if (this.exit) return;
    this.child.kill(signal);
    const timer = setTimeout(() => void this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the process with SIGKILL if it still runs, and waits for it to be gone. */
  async kill() {
    if (this.exit) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  #tail() {
    return this.output.slice(-OUTPUT_TAIL);
  }
}
