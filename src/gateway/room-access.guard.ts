import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROOM_NAME } from '../protocol/limits.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { RoomPolicy, type RoomRefusal, type RoomVerdict } from '../domain/rooms/room-policy.js';
import { ModerationService } from '../domain/moderation/moderation.service.js';
import type { ChatSession } from '../domain/session.js';
import { sessionIn } from './session-in.js';
import { RoomAccess, type RoomRequirement } from './room-access.decorator.js';

/**
 * Enforces `@RoomAccess`: `not_in_room` for rooms not joined; `forbidden` (with the policy's reason) when
 * the `RoomPolicy` refuses a join (`enter`) or a send (`send`); then moderation's: `forbidden` for a
 * banned user's join and a banned or muted user's send. Synchronous while the policy is. (A slow mode's
 * slot is taken later, by `ChatService`, once the message has passed validation.)
 */
@Injectable()
export class RoomAccessGuard implements CanActivate {
  /** Each handler's requirement, read once: a handler's metadata does not change, and this runs per frame. */
  private readonly requirements = new WeakMap<object, RoomRequirement | undefined>();

  constructor(
    private readonly reflector: Reflector,
    private readonly policy: RoomPolicy,
    private readonly moderation: ModerationService,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
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
    if (requirement === 'enter') {
      const allowed = settle(this.policy.mayEnter(connection.identity, room), requirement, room);
      return allowed === true
        ? this.enters(connection, room)
        : allowed.then(() => this.enters(connection, room));
    }
    if (!connection.rooms.has(room)) {
      throw new ChatException(ChatErrorCode.NotInRoom, `join "${room}" first`);
    }
    if (requirement === 'send') {
      const allowed = settle(this.policy.maySend(connection.identity, room), requirement, room);
      return allowed === true
        ? this.sends(connection, room)
        : allowed.then(() => this.sends(connection, room));
    }
    return true;
  }

  private enters(connection: ChatSession, room: string): true {
    this.moderation.checkEntry(connection.user.id, room);
    return true;
  }

  private sends(connection: ChatSession, room: string): true {
    this.moderation.checkSend(connection.identity, room);
    return true;
  }
}

/** True for a verdict that allows; throws `forbidden` for one that refuses; a promise of either for a pending one. */
function settle(
  verdict: RoomVerdict | PromiseLike<RoomVerdict>,
  requirement: 'enter' | 'send',
  room: string,
): true | Promise<true> {
  if (verdict === true) return true;
  if (isThenable(verdict))
    return Promise.resolve(verdict).then((settled) => settle(settled, requirement, room));
  if (verdict === false) {
    const reason =
      requirement === 'enter' ? `you may not enter "${room}"` : `you may not send in "${room}"`;
    throw new ChatException(ChatErrorCode.Forbidden, reason);
  }
  if (typeof (verdict as RoomRefusal | null)?.reason === 'string')
    throw new ChatException(ChatErrorCode.Forbidden, verdict.reason, verdict.details);
  // Fails closed: an answer that is neither (say, undefined from a forgotten return) is a fault, not a yes.
  throw new Error(`the room policy answered ${typeof verdict}, not a RoomVerdict`);
}

function isThenable(value: unknown): value is PromiseLike<RoomVerdict> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
