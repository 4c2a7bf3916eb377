import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

/**
 * Spawns `node <nodeArgs…>` through `sh` so that the open-file limit is raised to its hard limit first
 * (10,000 idle sockets need that many descriptors on each side); `exec` keeps the pid the node's.
 * Output goes to `logFile`; `ipc` opens a message channel.
 */
export function spawnNode({ nodeArgs, env, logFile, ipc = false, cwd }) {
  const log = openSync(logFile, 'a');
  return spawn(
    'sh',
    ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...nodeArgs],
    {
      cwd,
      env,
      stdio: ['ignore', log, log, ...(ipc ? ['ipc'] : [])],
    },
  );
}
