import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killRecordedGroups, RUN_DIR_ENV } from './utils/owned-process.js';

/**
 * Gives the run a directory where spawned servers (nginx, redis-server, node dist/main.js) record their
 * process groups, and kills whatever is still running there when the run ends: a suite leaves no
 * process behind, even when a test failed before its own cleanup.
 */
export default function setup(): () => void {
  const runDir = mkdtempSync(join(tmpdir(), 'sb-test-run-'));
  process.env[RUN_DIR_ENV] = runDir;
  return () => {
    const killed = killRecordedGroups(runDir, (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    });
    if (killed > 0)
      console.warn(`test teardown killed ${killed} process group(s) a test left running`);
    rmSync(runDir, { recursive: true, force: true });
  };
}
