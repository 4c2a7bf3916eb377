import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';
import { killGroup, spawnOwned } from './owned-process.js';
import { acceptsTcp } from './probes.mjs';
import { waitFor } from './wait-for.mjs';

/** A redis-server of a test's own, on its own port, that the test may kill and restart. */
export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'sb-redis-'));

  private constructor(
    readonly port: number,
    private readonly durable: boolean,
  ) {}

  /**
   * Starts a new, empty server on a free port. `durable` turns on the AOF with `appendfsync always`,
   * so a restart (even after SIGKILL) keeps every acknowledged write.
   */
  static async start(options: { durable?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.durable ?? false);
    await server.restart();
    return server;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills the server at once (SIGKILL): without `durable`, its data is gone. */
  async kill(): Promise<void> {
    if (this.process) await killGroup(this.process);
  }

  /** Stops the server with SIGSTOP: its connections stay open and nothing answers, as a hung Redis. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Starts the server again on the same port (empty unless `durable`) and waits until it accepts connections. */
  async restart(): Promise<void> {
    await this.kill();
    this.process = spawnOwned(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        this.dir,
        ...(this.durable
          ? ['--appendonly', 'yes', '--appendfsync', 'always']
          : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      () => acceptsTcp(this.port),
      `redis-server on port ${this.port} to accept connections`,
    );
  }
}
