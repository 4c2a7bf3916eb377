import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerApiKey, ServerApiScope } from '../config/server-api-keys.js';

/** A configured key as the API checks it: its id, scopes and room patterns, its hash as bytes. */
export interface ApiKeyGrant {
  readonly id: string;
  readonly scopes: ReadonlySet<ServerApiScope>;
  readonly rooms: readonly string[];
}

interface HashedGrant extends ApiKeyGrant {
  readonly sha256: Buffer;
}

/** Longest presented key that is hashed at all; a longer one is no key of ours (keys are short secrets). */
const MAX_PRESENTED_KEY_LENGTH = 512;

/** The configured keys of the server HTTP API, validated at boot (`SERVER_API_KEYS`), and what each may do. */
export class ApiKeyTable {
  private readonly grants: HashedGrant[];

  constructor(keys: readonly ServerApiKey[]) {
    this.grants = keys.map((key) => ({
      id: key.id,
      sha256: Buffer.from(key.sha256, 'hex'),
      scopes: new Set(key.scopes),
      rooms: [...(key.rooms ?? [])],
    }));
  }

  /** Whether any key is configured: without one the API is off. */
  get enabled(): boolean {
    return this.grants.length > 0;
  }

  /**
   * The grant of the key presented, or undefined. Compares the presented key's SHA-256 with every
   * configured hash in constant time, and with all of them, so timing tells neither a prefix nor which key.
   */
  find(presented: string): ApiKeyGrant | undefined {
    if (presented.length === 0 || presented.length > MAX_PRESENTED_KEY_LENGTH) return undefined;
    const digest = createHash('sha256').update(presented).digest();
    let found: HashedGrant | undefined;
    for (const grant of this.grants)
      if (timingSafeEqual(digest, grant.sha256) && !found) found = grant;
    return found;
  }
}

/** Whether `grant` may call `scope`, in `room` when the operation names one. */
export function grantAllows(grant: ApiKeyGrant, scope: ServerApiScope, room?: string): boolean {
  if (!grant.scopes.has(scope)) return false;
  return room === undefined || grant.rooms.some((pattern) => roomMatches(pattern, room));
}

/** A room pattern: the exact name, or a prefix ending in `*` (`*` alone matches every room). */
export function roomMatches(pattern: string, room: string): boolean {
  return pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : room === pattern;
}
