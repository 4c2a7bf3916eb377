// Prints the package's size as an app would ship it: src/index.ts bundled and minified by rolldown, then
// gzipped (level 9). Run `npm run size` in packages/client (after nothing: it bundles from source).
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const { output } = await build({
  cwd: root,
  input: 'src/index.ts',
  platform: 'neutral',
  write: false,
  output: { format: 'esm', minify: true },
  logLevel: 'warn',
});
const code = Buffer.from(output[0].code);
const gzipped = gzipSync(code, { level: 9 }).length;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
console.log(`@switchboard/client: ${kB(code.length)} minified, ${kB(gzipped)} minified+gzipped`);
