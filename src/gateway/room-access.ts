/** Rooms whose names start with this need a matching `rooms` claim. */
export const PRIVATE_ROOM_PREFIX = 'private:';

/** Whether a user with these room claims may enter a room: open rooms always, private ones by claim. */
export function mayEnterRoom(room: string, claims: readonly string[]): boolean {
  if (!room.startsWith(PRIVATE_ROOM_PREFIX)) return true;
  return claims.some((claim) =>
    claim.endsWith('*') ? room.startsWith(claim.slice(0, -1)) : room === claim,
  );
}
