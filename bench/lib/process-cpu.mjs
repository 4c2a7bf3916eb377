import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time a process has used so far, in microseconds, at nanosecond resolution: the sum over its threads
 * of the time on CPU in /proc/<pid>/task/<tid>/schedstat (user and system alike). Falls back to
 * `processStatCpuMicros` where schedstat is missing.
 */
export function processCpuMicros(pid) {
  let nanos = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanos += Number(
          readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0],
        );
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return processStatCpuMicros(pid);
  }
  return nanos / 1000;
}

/** CPU time a process has used so far (utime + stime from /proc/<pid>/stat, clock-tick resolution), in microseconds. */
export function processStatCpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}

/** CPU time the whole machine has been busy so far (all cores, /proc/stat), in microseconds. */
export function machineBusyMicros() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1e6) / TICKS_PER_SECOND;
}

/**
 * Read and write system calls a process has made so far (`syscr`, `syscw` of /proc/<pid>/io, every thread;
 * `writev` counts as one write): the cost of a delivery is mostly its write call.
 */
export function processSyscalls(pid) {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: NaN, writes: NaN };
  }
}
