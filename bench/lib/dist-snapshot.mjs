import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Copies dist/ aside for the length of a run, so that a `nest build` by someone else meanwhile (it empties
 * dist/ first) neither breaks a run nor mixes two builds in one report. The copy sits under
 * bench/results/, so it resolves node_modules and package.json like dist/ does; `public/` is linked
 * beside it, where dist/ looks for the web client, and the SDK's build is copied to where dist/ looks for
 * the page's client bundle. Returns the copy's main.js and a function removing it.
 */
export function snapshotDist(root, runId) {
  const source = join(root, 'dist');
  if (!existsSync(join(source, 'main.js')))
    throw new Error('dist/main.js is missing: run `nest build` first');
  const dir = join(root, 'bench', 'results', `snapshot-${runId}`);
  mkdirSync(dir, { recursive: true });
  cpSync(source, join(dir, 'dist'), {
    recursive: true,
    filter: (path) => !path.endsWith('.map') && !path.endsWith('.d.ts'),
  });
  symlinkSync(join(root, 'public'), join(dir, 'public'));
  const client = join(root, 'packages', 'client', 'dist');
  if (!existsSync(join(client, 'index.min.js')))
    throw new Error('packages/client/dist is missing: run `npm run build:client` first');
  cpSync(client, join(dir, 'packages', 'client', 'dist'), { recursive: true });
  return {
    entry: join(dir, 'dist', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
