/**
 * Runs `nest build` when dist/main.js is missing or older than any file under src/, and `npm run
 * build:client` when the SDK's bundle, which the server serves to the web client and needs to boot, is
 * missing or older than its sources (a full build takes several seconds and replaces dist/, which other
 * processes may be using): the first step of `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `built` is missing or older than any file under `sources`. */
function stale(built, ...sources) {
  const newest = Math.max(...sources.map((dir) => newestMtime(join(root, dir))));
  return !existsSync(join(root, built)) || statSync(join(root, built)).mtimeMs < newest;
}

function run(what, command, args) {
  console.log(what);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

if (stale('dist/main.js', 'src'))
  run('dist/ is older than src/: nest build', join(root, 'node_modules', '.bin', 'nest'), [
    'build',
  ]);
if (stale('packages/client/dist/index.min.js', 'packages/client/src', 'src/protocol'))
  run('the SDK bundle is older than its sources: build:client', process.execPath, [
    join(root, 'packages', 'client', 'scripts', 'build.mjs'),
  ]);
