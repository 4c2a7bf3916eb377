import { Reflector } from '@nestjs/core';

/** What a handler requires of the room named in its `data.room`: to have joined it, or to be allowed in. */
export type RoomRequirement = 'member' | 'enter';

/** Marks a handler for `RoomAccessGuard`: `@RoomAccess('member')` or `@RoomAccess('enter')`. */
export const RoomAccess = Reflector.createDecorator<RoomRequirement>();
