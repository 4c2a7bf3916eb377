/**
 * The WebSocket subprotocol every Switchboard client may offer and the server selects when offered: it
 * names the wire contract, and lets a browser, which cannot set headers, carry its token beside it.
 */
export const SUBPROTOCOL = 'switchboard';

/**
 * Prefix of the subprotocol that carries the access token (`switchboard.bearer.<jwt>`), offered beside
 * `SUBPROTOCOL`, as Kubernetes and Phoenix carry theirs. The server never selects it, so the token is never
 * echoed, and it never appears in a URL, so it lands in no proxy or access log.
 */
export const BEARER_SUBPROTOCOL_PREFIX = 'switchboard.bearer.';

/** The access token carried in a `Sec-WebSocket-Protocol` request header, if it carries one. */
export function tokenFromSubprotocols(header: string | undefined): string | undefined {
  if (!header?.includes(BEARER_SUBPROTOCOL_PREFIX)) return undefined;
  for (const offered of header.split(',')) {
    const protocol = offered.trim();
    if (
      protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX) &&
      protocol.length > BEARER_SUBPROTOCOL_PREFIX.length
    )
      return protocol.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** The subprotocol the server answers with: `SUBPROTOCOL` when offered, else none (never the token's). */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}
