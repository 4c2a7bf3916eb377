import { UpgradeRefused, type ConnectOptions, type TestClient } from './test-client.js';
import { signToken } from './jwt.js';

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

/** Connects each of `uids` to `sut` as `asUser(uid)`, one after another; the clients in that order. */
export async function connectUsers(
  sut: { connect(options: ConnectOptions): Promise<TestClient> },
  ...uids: string[]
): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (const uid of uids) clients.push(await sut.connect(asUser(uid)));
  return clients;
}

/** The HTTP status that refused an upgrade with `options`, or 101 when the socket opened (it is closed again). */
export async function upgradeStatus(
  sut: { connect(options: ConnectOptions): Promise<TestClient> },
  options: ConnectOptions,
): Promise<number> {
  try {
    const client = await sut.connect(options);
    await client.close();
    return 101;
  } catch (error) {
    if (error instanceof UpgradeRefused) return error.status;
    throw error;
  }
}

/**
 * Options that connect as `uid` with an HS256 token signed with `secret` (JWT mode), named `nameOf(uid)`,
 * carrying `claims` besides (such as `roles: ['moderator']`); waits up to 5 s like `asUser`.
 */
export async function asTokenUser(
  uid: string,
  secret: string,
  claims: Record<string, unknown> = {},
): Promise<ConnectOptions> {
  const token = await signToken({ sub: uid, name: nameOf(uid), ...claims }, secret);
  return { timeoutMs: USER_TIMEOUT_MS, headers: { Authorization: `Bearer ${token}` } };
}
