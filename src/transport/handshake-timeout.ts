import type { Server } from 'node:http';

/** Longest Node waits between its sweeps for requests past their timeout. */
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * Bounds how long a request or an upgrade may take to arrive in full (HANDSHAKE_TIMEOUT_MS), so that
 * half-sent handshakes cannot pile up; call before the server listens, when Node starts its sweeps.
 */
export function applyHandshakeTimeout(server: Server, timeoutMs: number): void {
  server.headersTimeout = timeoutMs;
  server.requestTimeout = timeoutMs;
  // Node's default sweep (30 s) would let a half-sent request live up to 30 s past its timeout.
  // Read by Node when the server starts listening; typed only as a constructor option.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(MAX_CHECK_INTERVAL_MS, Math.ceil(timeoutMs / 4));
}
