import type { ChildProcess } from 'node:child_process';

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a `ChildServer` is called in errors, and where its output goes when it is not piped. */
export interface ChildServerOptions {
  name: string;
  logFile?: string;
}

/**
 * A server running as a child process, shared by the tests and the benchmarks: how it ended, what it
 * wrote (piped stdout and stderr, or its log file), waits whose errors name what they waited for and
 * quote the output, and stopping it.
 */
export declare class ChildServer {
  readonly child: ChildProcess;
  readonly name: string;
  readonly logFile: string | undefined;
  /** How the process ended, once it has. */
  exit: Exit | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  constructor(child: ChildProcess, options: ChildServerOptions);
  /** The process id. */
  get pid(): number | undefined;
  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string;
  /** The output's lines, each parsed as JSON (as pino writes them); throws naming a line that is not JSON. */
  get logLines(): Record<string, unknown>[];
  /** Polls `probe` until it is true; throws, quoting the output, if the process exits first or the time runs out. */
  waitReady(
    probe: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs: number,
  ): Promise<void>;
  /** Resolves with how the process ended, or throws after the timeout. */
  waitExit(timeoutMs: number): Promise<Exit>;
  /** Sends a signal to the process. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` (default SIGKILL) and waits for the exit; a process still running after `graceMs` is killed. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** Kills the process with SIGKILL if it still runs, and waits for it to be gone. */
  kill(): Promise<void>;
}
