import { Reflector } from '@nestjs/core';

/**
 * What a handler requires of the room named in its `data.room`: to have joined it (`member`), the room
 * policy's leave to enter it (`enter`), or to have joined it and the policy's leave to send in it (`send`).
 */
export type RoomRequirement = 'member' | 'enter' | 'send';

/** Marks a handler for `RoomAccessGuard`: `@RoomAccess('member')`, `('enter')` or `('send')`. */
export const RoomAccess = Reflector.createDecorator<RoomRequirement>();
