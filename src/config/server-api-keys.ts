import { ROOM_NAME } from '../protocol/limits.js';

/** The operations that moderate a room: what a key for a room's moderators holds. */
export const ROOM_MODERATION_SCOPES = [
  'ban',
  'unban',
  'mute',
  'unmute',
  'setSlowMode',
  'deleteMessage',
  'roomModeration',
] as const;

/** The operations that act on a room: a key's `rooms` patterns bound them too. */
const ROOM_OPERATIONS = [
  'publish',
  'emitToRoom',
  'leave',
  'members',
  'roomHistory',
  'roomInfo',
  ...ROOM_MODERATION_SCOPES,
] as const;

/** The operations on a user, bounded by their scope alone. */
const USER_OPERATIONS = [
  'dm',
  'emitToUser',
  'disconnect',
  'directHistory',
  'banFromService',
  'unbanFromService',
  'userModeration',
] as const;

/**
 * What a key of the server HTTP API may do: one scope per `ChatPublisher` operation, plus `roomInfo`,
 * and `banFromService` / `unbanFromService` for `ban` and `unban` without a room. Room operations are
 * also bounded by the key's room patterns; user operations by their scope alone.
 */
export const SERVER_API_SCOPES = [...ROOM_OPERATIONS, ...USER_OPERATIONS] as const;

/** One operation of the server HTTP API, as a key's `scopes` names it. */
export type ServerApiScope = (typeof SERVER_API_SCOPES)[number];

/** The scopes that act on a room, so that a key's `rooms` patterns bound them too. */
export const ROOM_SCOPES: ReadonlySet<ServerApiScope> = new Set(ROOM_OPERATIONS);

/** A key of the server HTTP API as configured: never the key itself, only its SHA-256. */
export interface ServerApiKey {
  /**
   * Names the key in logs, rate limits, idempotency and moderation records (`server:api-<id>`); unique;
   * 1-53 of `A-Za-z0-9_.-`, so that `server:api-<id>` is a server sender id.
   */
  id: string;
  /** SHA-256 of the key (the bytes of its UTF-8 text), 64 hex digits. */
  sha256: string;
  /** The operations the key may call. */
  scopes: ServerApiScope[];
  /** Rooms its room operations may name: exact names, or prefixes ending in `*` (`*` alone: every room). */
  rooms?: string[];
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,53}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const ROOM_PATTERN = /^(?:[A-Za-z0-9_.:-]{0,64}\*|[A-Za-z0-9_.:-]{1,64})$/;
const MOST_KEYS = 100;
const MOST_ROOM_PATTERNS = 100;

/**
 * SERVER_API_KEYS as the environment gives it: a JSON array (blank: none). Anything that is not JSON is
 * returned as it is, for the validator to name.
 */
export function serverApiKeysFromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return [];
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Every problem with a SERVER_API_KEYS value, each naming the key (by index and id) and the field; empty when valid. */
export function serverApiKeysProblems(value: unknown): string[] {
  if (!Array.isArray(value))
    return ['must be a JSON array of { id, sha256, scopes, rooms } (a blank value: no key)'];
  if (value.length > MOST_KEYS) return [`at most ${MOST_KEYS} keys`];
  const problems: string[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  value.forEach((entry: unknown, index) => {
    const at = `key ${index}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${at}: must be an object { id, sha256, scopes, rooms }`);
      return;
    }
    const key = entry as Record<string, unknown>;
    const named = typeof key.id === 'string' && KEY_ID.test(key.id) ? `${at} (${key.id})` : at;
    const unknownFields = Object.keys(key).filter(
      (field) => !['id', 'sha256', 'scopes', 'rooms'].includes(field),
    );
    if (unknownFields.length > 0)
      problems.push(`${named}: unknown field ${unknownFields.join(', ')}`);
    if (typeof key.id !== 'string' || !KEY_ID.test(key.id))
      problems.push(`${at}: id must be 1 to 53 of A-Z a-z 0-9 _ . -`);
    else if (ids.has(key.id)) problems.push(`${named}: id is used by an earlier key`);
    else ids.add(key.id);
    if (typeof key.sha256 !== 'string' || !SHA256_HEX.test(key.sha256))
      problems.push(`${named}: sha256 must be the key's SHA-256 as 64 hex digits, not the key`);
    else if (hashes.has(key.sha256.toLowerCase()))
      problems.push(`${named}: sha256 is the hash of an earlier key`);
    else hashes.add(key.sha256.toLowerCase());
    problems.push(...scopeProblems(named, key.scopes));
    problems.push(...roomProblems(named, key.rooms, key.scopes));
  });
  return problems;
}

function scopeProblems(named: string, scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0)
    return [`${named}: scopes must be a non-empty array of ${SERVER_API_SCOPES.join(', ')}`];
  const unknown = scopes.filter(
    (scope) => !(SERVER_API_SCOPES as readonly unknown[]).includes(scope),
  );
  return unknown.length > 0
    ? [
        `${named}: unknown scope ${unknown.map((scope) => JSON.stringify(scope)).join(', ')} (known: ${SERVER_API_SCOPES.join(', ')})`,
      ]
    : [];
}

function roomProblems(named: string, rooms: unknown, scopes: unknown): string[] {
  if (rooms === undefined) {
    const roomScopes = Array.isArray(scopes)
      ? scopes.filter((scope) => ROOM_SCOPES.has(scope as ServerApiScope))
      : [];
    return roomScopes.length > 0
      ? [
          `${named}: rooms is required with the room scopes ${roomScopes.join(', ')} (["*"] for every room)`,
        ]
      : [];
  }
  if (!Array.isArray(rooms) || rooms.length > MOST_ROOM_PATTERNS)
    return [`${named}: rooms must be an array of at most ${MOST_ROOM_PATTERNS} patterns`];
  const bad = rooms.filter((room) => typeof room !== 'string' || !ROOM_PATTERN.test(room));
  return bad.length > 0
    ? [
        `${named}: room pattern ${bad.map((room) => JSON.stringify(room)).join(', ')} is neither a room name (${ROOM_NAME.source}) nor a prefix ending in *`,
      ]
    : [];
}
