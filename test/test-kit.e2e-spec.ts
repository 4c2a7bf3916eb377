import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildServer } from './utils/child-server.mjs';
import { freePort } from './utils/free-port.mjs';
import { sample } from './utils/metrics.js';
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

describe('the test kit reads and waits as it says', () => {
  const METRICS = [
    '# HELP switchboard_errors_total Errors by code',
    '# TYPE switchboard_errors_total counter',
    'switchboard_errors_total{code="bad_request",event="message"} 2',
    'switchboard_errors_total{code="bad_request",event="join"} 3',
    'switchboard_errors_total{code="rate_limited",event="message"} 5',
    '# TYPE switchboard_connections gauge',
  ].join('\n');

  it('sums the series of a metric that carry all the given labels, 0 when none does', () => {
    expect(sample(METRICS, 'switchboard_errors_total', { code: 'bad_request' })).toBe(5);
    expect(sample(METRICS, 'switchboard_errors_total')).toBe(10);
    expect(sample(METRICS, 'switchboard_connections')).toBe(0);
  });

  it('throws on a metric /metrics does not declare, so a misspelt name cannot read as 0', () => {
    expect(() => sample(METRICS, 'switchboard_error_total')).toThrow(/declares no metric/);
  });

  it('names what a wait waited for when it times out', async () => {
    await expect(waitFor(() => false, 'the moon', 100, 10)).rejects.toThrow(
      'timed out after 100 ms waiting for the moon',
    );
  });

  it('says a child server exited before it was ready, quoting its output', async () => {
    const child = spawn(process.execPath, ['-e', 'console.log("bad config"); process.exit(3)'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ChildServer(child, { name: 'the doomed server' });

    const failure = server.waitReady(() => false, 'to answer', 5000);

    await expect(failure).rejects.toThrow(/the doomed server exited .*"code":3.*\n.*bad config/s);
  });
});
