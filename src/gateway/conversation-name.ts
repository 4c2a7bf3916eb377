import type { ConversationName } from '../protocol/chat.events.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import type { ConversationRequestDto } from './dto/conversation-request.dto.js';

/** The conversation a request names, or `validation_failed` when it names both a room and a user, or neither. */
export function conversationNamed(dto: ConversationRequestDto): ConversationName {
  if (dto.room !== undefined && dto.with === undefined) return { room: dto.room };
  if (dto.with !== undefined && dto.room === undefined) return { with: dto.with };
  throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
    { field: 'room', errors: ['exactly one of room or with must be given'] },
  ]);
}
