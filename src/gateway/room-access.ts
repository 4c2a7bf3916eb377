import { PRIVATE_ROOM_PREFIX } from '../protocol/limits.js';

/** Whether a user with these room claims may enter a room: open rooms always, private ones by claim. */
export function mayEnterRoom(room: string, claims: readonly string[]): boolean {
  if (!room.startsWith(PRIVATE_ROOM_PREFIX)) return true;
  return claims.some((claim) =>
    claim.endsWith('*') ? room.startsWith(claim.slice(0, -1)) : room === claim,
  );
}
