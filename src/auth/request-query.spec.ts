import fc from 'fast-check';
import { queryOf } from './request-query.js';

/** Request targets made of the characters that change how a query is read (never a space: HTTP splits the request line on them). */
const target = fc
  .array(
    fc.constantFrom('/', '?', '#', '&', '=', '+', '%', '%20', '%zz', 'a', 'name', 'uid', 'é'),
    {
      maxLength: 24,
    },
  )
  .map((parts) => `/${parts.join('')}`);

describe('queryOf', () => {
  it('reads the same parameters as URL#searchParams for any request target the URL parser takes', () => {
    fc.assert(
      fc.property(target, (url) => {
        // A target the URL parser refuses is answered 400 at the upgrade's routing, before any query is read.
        fc.pre(URL.canParse(url, 'ws://localhost'));
        expect([...queryOf(url)]).toEqual([...new URL(url, 'ws://localhost').searchParams]);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads nothing from a target without a query', () => {
    expect([...queryOf('/ws')]).toEqual([]);
  });
});
