import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { pathnameOf } from './upgrade-routing.js';

const request = (url: string) => ({ url, headers: { host: 'localhost:8080' } }) as IncomingMessage;

/** Request targets made of the characters that change how a path is normalized. */
const target = fc
  .array(
    fc.constantFrom('/', '//', '.', '..', '%2e', '%41', '?', '#', 'ws', 'a-b', '_', '~', ':', '@'),
    {
      maxLength: 16,
    },
  )
  .map((parts) => `/${parts.join('')}`);

/** What the URL parser makes of a target's path; undefined when it refuses the target. */
function parsedPathname(url: string): string | undefined {
  try {
    return new URL(url, 'ws://localhost:8080/').pathname;
  } catch {
    return undefined;
  }
}

describe('pathnameOf', () => {
  it('gives the path the URL parser gives, for any request target', () => {
    fc.assert(
      fc.property(target, (url) => {
        expect(pathnameOf(request(url))).toBe(parsedPathname(url));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a plain path off the request line, query and fragment aside', () => {
    expect(pathnameOf(request('/chat/v1?name=ada#x'))).toBe('/chat/v1');
  });

  it('is undefined for a target the URL parser refuses', () => {
    expect(pathnameOf({ url: '//[', headers: { host: 'localhost' } } as IncomingMessage)).toBe(
      undefined,
    );
  });
});
