import { createHash, randomBytes } from 'node:crypto';
import type { ServerApiKey, ServerApiScope } from '../../src/config/server-api-keys.js';
import { SERVER_API_SCOPES } from '../../src/config/server-api-keys.js';

/** A fresh server API key: the secret a backend sends, and its entry of SERVER_API_KEYS (the hash only). */
export interface TestApiKey {
  /** What goes in `Authorization: Bearer <secret>`. */
  secret: string;
  /** Its configured entry. */
  config: ServerApiKey;
  /** `{ authorization: 'Bearer <secret>' }`, for a request's headers. */
  bearer: { authorization: string };
}

/** A random key with `scopes` (default: all of them) and room patterns (default: every room). */
export function apiKey(
  id: string,
  scopes: ServerApiScope[] = [...SERVER_API_SCOPES],
  rooms: string[] = ['*'],
): TestApiKey {
  const secret = `sb_${randomBytes(24).toString('base64url')}`;
  return {
    secret,
    config: { id, sha256: createHash('sha256').update(secret).digest('hex'), scopes, rooms },
    bearer: { authorization: `Bearer ${secret}` },
  };
}

/** SERVER_API_KEYS as the environment carries it, for `startApp`'s env. */
export function apiKeysEnv(...keys: TestApiKey[]): { SERVER_API_KEYS: string } {
  return { SERVER_API_KEYS: JSON.stringify(keys.map((key) => key.config)) };
}
