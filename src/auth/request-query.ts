/** Characters a request target is read off directly in. */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/** The query of a request target, parsed as `URL#searchParams` would, without building the URL. */
export function queryOf(target: string): URLSearchParams {
  // Outside printable ASCII the parser's percent-encoding and URLSearchParams' decoding can disagree.
  if (!PRINTABLE_ASCII.test(target)) return new URL(target, 'ws://localhost').searchParams;
  const hash = target.indexOf('#');
  const beforeHash = hash < 0 ? target : target.slice(0, hash);
  const start = beforeHash.indexOf('?');
  if (start < 0) return new URLSearchParams();
  const query = beforeHash.slice(start + 1);
  // URLSearchParams drops one leading '?' of its input, which URL keeps as part of the first name.
  return new URLSearchParams(query.startsWith('?') ? `&${query}` : query);
}
