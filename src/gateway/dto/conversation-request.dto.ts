import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { ROOM_NAME } from '../../protocol/limits.js';
import { ChatException } from '../../domain/chat.exception.js';
import type { ConversationRef } from '../../engine/message-store.js';
import { ChatRequestDto } from './chat-request.dto.js';

/** A request about one conversation, named by exactly one of `room` and `with` (the other user's id). */
export class ConversationRequestDto extends ChatRequestDto {
  @IsOptional()
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room?: string;

  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) with?: string;
}

/**
 * The conversation a validated request names; `validation_failed` when it names both or neither (a
 * rule across two fields, which the compiled validator does not express).
 */
export function conversationOf(dto: ConversationRequestDto): ConversationRef {
  if ((dto.room === undefined) === (dto.with === undefined)) {
    throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
      { field: 'room', errors: ['exactly one of room and with must be given'] },
    ]);
  }
  return dto.room !== undefined ? { room: dto.room } : { with: dto.with! };
}
