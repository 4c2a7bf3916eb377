import { execFile, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.mjs';
import { groupAlive, killGroup, spawnOwned } from './owned-process.js';
import { waitFor } from './wait-for.mjs';

const run = promisify(execFile);
const OS_USER = 'postgres';

/** Debian's server binaries of the newest PostgreSQL installed (`/usr/lib/postgresql/<version>/bin`). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0], 'bin');
}

/** A command line that runs as the `postgres` OS user when this process is root (initdb and postgres refuse root). */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0
    ? ['runuser', ['-u', OS_USER, '--', command, ...args]]
    : [command, args];
}

/**
 * A PostgreSQL server of a test's own (never the shared one at 5432): a new cluster in a temporary
 * directory (`initdb`, trust auth), on a free port of 127.0.0.1 with its Unix socket in that directory.
 * The test may stop it the hard ways (`stopImmediate`, `killPostmaster`) and `start` it again on the
 * same port with the same data; `destroy` stops it and removes the directory.
 */
export class PostgresServer {
  private process: ChildProcess | undefined;
  private readonly bin = binDir();

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Creates the cluster and starts the server; resolves once it answers queries. */
  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-postgres-'));
    if (userInfo().uid === 0) {
      const [uid, gid] = await Promise.all(
        ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, OS_USER])).stdout)),
      );
      chownSync(dir, uid, gid);
    }
    const server = new PostgresServer(await freePort(), dir);
    const [command, args] = asServerUser(join(server.bin, 'initdb'), [
      '-D',
      server.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--no-instructions',
    ]);
    await run(command, args, { cwd: dir });
    await server.start();
    return server;
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates a schema and answers a DATABASE_URL whose tables go there (`search_path`). */
  async schemaUrl(schema: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`create schema "${schema}"`);
    } finally {
      await client.end();
    }
    return `${this.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Starts the server on its port with the data it has, and waits until it answers `SELECT 1`. */
  async start(): Promise<void> {
    if (this.running) throw new Error('the private PostgreSQL is already running');
    const [command, args] = asServerUser(join(this.bin, 'postgres'), [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=40',
      '-c',
      'shared_buffers=16MB',
    ]);
    this.process = spawnOwned(command, args, { cwd: this.dir, stdio: 'ignore' });
    await waitFor(
      () => this.answers(),
      `the private PostgreSQL on port ${this.port} to answer`,
      30_000,
    );
  }

  /** `pg_ctl stop -m immediate`: every server process quits at once, without a checkpoint (as a crash). */
  async stopImmediate(): Promise<void> {
    const [command, args] = asServerUser(join(this.bin, 'pg_ctl'), [
      'stop',
      '-D',
      this.dataDir,
      '-m',
      'immediate',
      '-w',
    ]);
    await run(command, args, { cwd: this.dir });
    await this.gone();
  }

  /** SIGKILL of the postmaster alone (its backends notice and quit), then waits until none is left. */
  async killPostmaster(): Promise<void> {
    const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await this.gone();
  }

  /** Kills whatever still runs and removes the cluster's directory. */
  async destroy(): Promise<void> {
    if (this.process) await killGroup(this.process);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get running(): boolean {
    return (
      this.process !== undefined && this.process.pid !== undefined && groupAlive(this.process.pid)
    );
  }

  /** Waits until no process of the server's group runs: a start before that would find its memory in use. */
  private async gone(): Promise<void> {
    const pid = this.process?.pid;
    if (pid === undefined) return;
    await waitFor(() => !groupAlive(pid), `the private PostgreSQL's processes to exit`, 30_000);
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
