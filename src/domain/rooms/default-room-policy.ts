import { Injectable } from '@nestjs/common';
import type { Identity } from '../../auth/identity.js';
import { PRIVATE_ROOM_PREFIX } from '../../protocol/limits.js';
import { RoomPolicy } from './room-policy.js';

/**
 * Today's room access, the default `RoomPolicy`: rooms named `private:…` only for users whose room claims
 * (the token's `rooms`) name them, exactly or by a trailing `*`; every other room open; anyone in a room
 * may send in it.
 */
@Injectable()
export class DefaultRoomPolicy extends RoomPolicy {
  mayEnter(identity: Identity, room: string): boolean {
    return mayEnterRoom(room, identity.roomClaims ?? []);
  }

  maySend(_identity: Identity, _room: string): boolean {
    return true;
  }
}

/** Whether a user with these room claims may enter a room: open rooms always, private ones by claim. */
export function mayEnterRoom(room: string, claims: readonly string[]): boolean {
  if (!room.startsWith(PRIVATE_ROOM_PREFIX)) return true;
  return claims.some((claim) =>
    claim.endsWith('*') ? room.startsWith(claim.slice(0, -1)) : room === claim,
  );
}
