import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROOM_NAME } from '../protocol/limits.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { sessionIn } from './session-in.js';
import { RoomAccess, type RoomRequirement } from './room-access.decorator.js';
import { mayEnterRoom } from './room-access.js';

/** Enforces `@RoomAccess`: `not_in_room` for rooms not joined, `forbidden` for private rooms without the claim. */
@Injectable()
export class RoomAccessGuard implements CanActivate {
  /** Each handler's requirement, read once: a handler's metadata does not change, and this runs per frame. */
  private readonly requirements = new WeakMap<object, RoomRequirement | undefined>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let requirement = this.requirements.get(handler);
    if (requirement === undefined && !this.requirements.has(handler)) {
      requirement = this.reflector.get(RoomAccess, handler);
      this.requirements.set(handler, requirement);
    }
    if (!requirement) return true;
    const data = context.getArgByIndex<{ room?: unknown; with?: unknown }>(1);
    const { room } = data;
    // A missing or malformed room is the validation pipe's to report, with every other field; so is a
    // request naming a user (`with`) too, which names no room to check.
    if (typeof room !== 'string' || !ROOM_NAME.test(room) || data.with !== undefined) return true;
    const connection = sessionIn(context);
    if (requirement === 'member' && !connection.rooms.has(room)) {
      throw new ChatException(ChatErrorCode.NotInRoom, `join "${room}" first`);
    }
    if (requirement === 'enter' && !mayEnterRoom(room, connection.identity.roomClaims)) {
      throw new ChatException(ChatErrorCode.Forbidden, `you may not enter "${room}"`);
    }
    return true;
  }
}
