import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './utils/free-port.mjs';
import { Nginx } from './utils/nginx.js';
import { groupAlive, killRecordedGroups, liveProcesses } from './utils/owned-process.js';
import { waitFor } from './utils/wait-for.mjs';

/** Ids of the live processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return liveProcesses()
    .filter((entry) => entry.ppid === pid)
    .map((entry) => entry.pid);
}

describe('the test kit leaves no process behind', () => {
  let upstream: Server;

  beforeAll(async () => {
    upstream = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise((resolve) => upstream.close(resolve)));

  it('stops nginx with its worker processes', async () => {
    const { port } = upstream.address() as { port: number };
    const nginx = await Nginx.start(await freePort(), [port]);
    await waitFor(() => childrenOf(nginx.pid).length > 0, 'nginx to start a worker');

    await nginx.stop();

    expect(groupAlive(nginx.pid)).toBe(false);
  });

  it('kills every recorded process group at teardown, children included', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'sb-kit-'));
    const child = spawn('sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
    writeFileSync(join(runDir, 'process-groups'), `${child.pid}\n`);
    await waitFor(
      () => childrenOf(child.pid!).length > 0,
      'the shell to start its background sleep',
    );

    const killed = killRecordedGroups(runDir, (path) => readFileSync(path, 'utf8'));

    expect(killed).toBe(1);
    await waitFor(() => !groupAlive(child.pid!), 'the whole group to be gone');
  });
});
