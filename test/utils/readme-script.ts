import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { killGroup, spawnOwned } from './owned-process.js';
import { waitFor } from './wait-for.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built package, as `import '@switchboard/client'` finds it once installed. */
const DIST = new URL('../../packages/client/dist/index.js', import.meta.url).href;

/** The Node script of README.md's "Client SDK" section, as written there. */
export function readmeScript(): string {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  return /## Client SDK[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
}

/**
 * README.md's SDK script running as a child process against `wsUrl`, importing the built package
 * (packages/client/dist, so `npm run build:client` first), with what it prints so far.
 */
export class ReadmeScriptProcess {
  /** Its stdout and stderr, as printed. */
  output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** Starts the script, its URL replaced by `wsUrl`. */
  static start(wsUrl: string): ReadmeScriptProcess {
    const runnable = readmeScript()
      .replace("'@switchboard/client'", `'${DIST}'`)
      .replace('ws://localhost:8080/', wsUrl);
    return new ReadmeScriptProcess(
      spawnOwned(process.execPath, ['--input-type=module', '--eval', runnable], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** Waits until the script has printed `text`; the timeout names `what`. */
  async waitForOutput(text: string, what: string): Promise<void> {
    await waitFor(() => this.output.includes(text), `${what} (the script printed: ${this.output})`);
  }

  /** Kills the script. */
  stop(): Promise<void> {
    return killGroup(this.child);
  }
}
