import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROOM_NAME } from '../../protocol/limits.js';
import { ChatRequestDto } from './chat-request.dto.js';

/** A request about one conversation: a room (`room`) or the DM conversation with a user (`with`), exactly one. */
export class ConversationRequestDto extends ChatRequestDto {
  @IsOptional()
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room?: string;
  /** The other user's id. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) with?: string;
}
