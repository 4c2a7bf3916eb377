import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DOCS = [
  'README.md',
  'docs/PROTOCOL.md',
  'docs/ARCHITECTURE.md',
  'docs/SCALE-OUT.md',
  'docs/DATABASE.md',
  'docs/BENCHMARKS.md',
  'docs/INTEGRATION.md',
];

/** Relative link targets of a Markdown file (`[text](target)`), anchors and URLs left out. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

describe('the docs stand alone', () => {
  it.each(DOCS)('%s names nothing outside the repository', (doc) => {
    const sut = readFileSync(join(ROOT, doc), 'utf8');

    expect(sut).not.toMatch(/\.\.\/shared\//);
  });

  it.each(DOCS)('every relative link in %s points at a file in the repository', (doc) => {
    const sut = relativeLinks(readFileSync(join(ROOT, doc), 'utf8'));

    const missing = sut.filter((target) => !existsSync(join(dirname(join(ROOT, doc)), target)));
    expect(missing).toEqual([]);
  });
});
