import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the global setup keeps this run's process-group list (see test/global-setup.ts). */
export const RUN_DIR_ENV = 'SB_TEST_RUN_DIR';
const GROUPS_FILE = 'process-groups';

/**
 * Spawns a process the test run owns: in a process group of its own (so that its children, such as
 * nginx's workers, end with it) and recorded, so that the run's teardown kills whatever a failed or
 * crashed test left running.
 */
export function spawnOwned(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const runDir = process.env[RUN_DIR_ENV];
  if (child.pid !== undefined && runDir)
    appendFileSync(join(runDir, GROUPS_FILE), `${child.pid}\n`);
  return child;
}

/** Sends a signal to an owned process's whole group (the process and every child it started). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Kills an owned process's whole group with SIGKILL and waits until none of its processes runs. */
export async function killGroup(child: ChildProcess): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise((resolve) => child.once('exit', resolve)) : undefined;
  signalGroup(child, 'SIGKILL');
  await exited;
  if (child.pid === undefined) return;
  for (let tries = 0; groupAlive(child.pid) && tries < 100; tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A live (not zombie) process, as /proc/<pid>/stat describes it. */
interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
}

/** Every live process on the machine, read from /proc (zombies left out: they run nothing). */
export function liveProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // After the parenthesised command (which may hold spaces): state, ppid, pgrp, ...
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z')
        entries.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // The process ended while /proc was read.
    }
  }
  return entries;
}

/** Whether any process of the group `pgid` still runs. */
export function groupAlive(pgid: number): boolean {
  return liveProcesses().some((entry) => entry.pgrp === pgid);
}

/** Kills every process group recorded under a run directory (teardown of the whole test run). */
export function killRecordedGroups(runDir: string, read: (path: string) => string): number {
  let killed = 0;
  const pids = read(join(runDir, GROUPS_FILE)).split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    if (!groupAlive(pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      killed += 1;
    } catch {
      // Gone between the check and the kill.
    }
  }
  return killed;
}
