import type { ConnectOptions } from './test-client.js';

/** How long a user's client waits for a frame before its error names what it waited for. */
const USER_TIMEOUT_MS = 5000;

/** The display name `asUser` gives `uid`: not the uid itself, so a test sees which of the two the server used. */
export function nameOf(uid: string): string {
  return `${uid} name`;
}

/** The user the server reports (in `from`, `presence`, `members`) for a client opened with `asUser(uid)`. */
export function userOf(uid: string): { id: string; name: string } {
  return { id: uid, name: nameOf(uid) };
}

/**
 * Options that connect as the dev-mode user `uid` (`?uid=&name=`, the name `nameOf(uid)`), waiting up to
 * 5 s; `options` add to them or override them, its `query` key by key.
 */
export function asUser(uid: string, options: ConnectOptions = {}): ConnectOptions {
  return {
    timeoutMs: USER_TIMEOUT_MS,
    ...options,
    query: { uid, name: nameOf(uid), ...options.query },
  };
}
