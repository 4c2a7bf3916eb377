import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, spawnOwned } from './owned-process.js';
import { answersHttp } from './probes.mjs';
import { waitFor } from './wait-for.mjs';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

/** Debian's nginx running the shipped deploy/nginx.conf, with its listen port and upstreams swapped in. */
export class Nginx {
  private constructor(
    private readonly process: ChildProcess,
    readonly port: number,
  ) {}

  /**
   * Starts nginx in front of these node ports and waits until it accepts connections; `edit` may
   * rewrite more of the shipped config, such as a limit lowered for a test.
   */
  static async start(
    port: number,
    upstreamPorts: number[],
    edit: (config: string) => string = (config) => config,
  ): Promise<Nginx> {
    const prefix = mkdtempSync(join(tmpdir(), 'sb-nginx-'));
    mkdirSync(join(prefix, 'logs'));
    const shipped = readFileSync(SHIPPED_CONFIG, 'utf8');
    const servers = upstreamPorts
      .map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`)
      .join('\n        ');
    const config = shipped
      .replace(/(server 127\.0\.0\.1:\d+[^;]*;\s*)+/, `${servers}\n    `)
      .replace(/listen \d+;/, `listen 127.0.0.1:${port};`)
      .replace('worker_processes auto;', 'worker_processes 1;');
    if (config === shipped)
      throw new Error(
        'deploy/nginx.conf no longer has the upstream and listen lines this test swaps',
      );
    writeFileSync(join(prefix, 'nginx.conf'), edit(config));
    const child = spawnOwned(
      'nginx',
      [
        '-p',
        prefix,
        '-c',
        join(prefix, 'nginx.conf'),
        '-g',
        `daemon off; pid ${join(prefix, 'nginx.pid')}; error_log ${join(prefix, 'logs/error.log')};`,
      ],
      { stdio: 'ignore' },
    );
    const nginx = new Nginx(child, port);
    await waitFor(
      () => answersHttp(`http://127.0.0.1:${port}/health/live`),
      `nginx on port ${port} to proxy /health/live`,
    );
    return nginx;
  }

  /** `ws://127.0.0.1:<port>/` */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** The master process's id, which is also its process group's: its workers are in that group. */
  get pid(): number {
    return this.process.pid!;
  }

  /** Kills nginx, master and workers (a SIGKILLed master leaves its workers running), and waits for it to exit. */
  async stop(): Promise<void> {
    await killGroup(this.process);
  }
}
