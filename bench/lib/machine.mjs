import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the report says about the machine: cores, CPU model, memory, kernel, Node, and the open-file limit. */
export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: os.availableParallelism(),
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** Which Switchboard was measured: the commit, and how many files under src/ differ from it (read-only git). */
export function describeSource(root) {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean);
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedSrcFiles: changed.length };
  } catch {
    return { commit: 'unknown', uncommittedSrcFiles: undefined };
  }
}
