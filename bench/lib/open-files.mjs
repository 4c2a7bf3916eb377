import { readdirSync, readFileSync } from 'node:fs';

/** A process's open-file limit (`ulimit -n`, the soft limit) from /proc/<pid>/limits. */
export function openFileLimit(pid) {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3]);
}

/** How many more files a process may open now: its limit less the descriptors it holds. */
export function openFilesLeft(pid) {
  return openFileLimit(pid) - readdirSync(`/proc/${pid}/fd`).length;
}
