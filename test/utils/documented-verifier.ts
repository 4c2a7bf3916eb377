import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The signature check as docs/INTEGRATION.md shows receivers, word for word. */
export type DocumentedVerifier = (
  rawBody: string,
  headers: Record<string, string | undefined>,
  secret: string,
  toleranceMs?: number,
) => boolean;

/**
 * The Node snippet of docs/INTEGRATION.md's "Headers and the signature" section, compiled as written
 * (its `node:crypto` import given as arguments), so a test proves the documented check works.
 */
export function documentedVerifier(): DocumentedVerifier {
  const doc = readFileSync(new URL('../../docs/INTEGRATION.md', import.meta.url), 'utf8');
  const snippet = /### Headers and the signature[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error('docs/INTEGRATION.md shows no signature snippet');
  const body = snippet.replace(/^import .*$/m, '');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the documented code is the point
  return new Function('createHmac', 'timingSafeEqual', `${body}\nreturn verifySwitchboardWebhook;`)(
    createHmac,
    timingSafeEqual,
  ) as DocumentedVerifier;
}
