import { SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * Signs a token as an identity provider would; a string `key` is an HS256 secret, and `exp` is seconds
 * since the epoch (see `secondsFromNow`) or a jose duration such as '1h'.
 */
export function signToken(
  payload: JWTPayload,
  key: string | Uint8Array | CryptoKey,
  alg = 'HS256',
  exp: number | string = '1h',
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}

/** A time `seconds` from now, in seconds since the epoch (negative: in the past), for `exp`. */
export function secondsFromNow(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}
