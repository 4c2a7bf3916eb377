import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header carrying the signatures: `v1=<hex>`, one per active secret, comma-separated. */
export const SIGNATURE_HEADER = 'switchboard-signature';
/** The request header carrying the time of the attempt, ms since the epoch; it is signed with the body. */
export const TIMESTAMP_HEADER = 'switchboard-timestamp';

/** The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The value of the signature header for one attempt: one `v1=` entry per secret (two during a rotation). */
export function signatureHeader(
  secrets: readonly string[],
  timestamp: string,
  body: string,
): string {
  return secrets.map((secret) => `v1=${signature(secret, timestamp, body)}`).join(',');
}

/** What a receiver checks: the raw body, the two headers, its secret. */
export interface SignedRequest {
  body: string;
  timestamp: string | undefined;
  signatureHeader: string | undefined;
}

/**
 * Whether a request was signed with `secret` less than `toleranceMs` ago (a replay of an old request fails);
 * the reference for receivers, the snippet in docs/INTEGRATION.md does the same.
 */
export function verifySignature(
  request: SignedRequest,
  secret: string,
  toleranceMs = 300_000,
  now = Date.now(),
): boolean {
  const { body, timestamp, signatureHeader: header } = request;
  if (!timestamp || !header || Math.abs(now - Number(timestamp)) > toleranceMs) return false;
  const expected = Buffer.from(signature(secret, timestamp, body), 'hex');
  return header.split(',').some((entry) => {
    const given = Buffer.from(entry.trim().replace(/^v1=/, ''), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
