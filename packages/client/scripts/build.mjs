// Builds the package: dist/index.js (one ESM file, the protocol layer's enums bundled in) with rolldown,
// the same minified as dist/index.min.js (for a page that loads it as is, as the web client does), and
// the type declarations with tsc (the protocol layer's among them, so the package stands alone).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });

for (const [file, minify] of [
  ['dist/index.js', false],
  ['dist/index.min.js', true],
]) {
  await build({
    cwd: root,
    input: 'src/index.ts',
    platform: 'neutral',
    output: { file, format: 'esm', minify },
    logLevel: 'warn',
  });
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.json`], { stdio: 'inherit' });
writeFileSync(`${root}dist/index.d.ts`, "export * from './types/packages/client/src/index.js';\n");
