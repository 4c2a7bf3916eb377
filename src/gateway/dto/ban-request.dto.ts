import { IsOptional, IsString, Matches } from 'class-validator';
import { ROOM_NAME } from '../../protocol/limits.js';
import { ChatRequestDto } from './chat-request.dto.js';
import {
  IsModeratedUserId,
  IsModerationDuration,
  IsModerationReason,
} from './moderation-fields.js';

/** `ban`: keep a user out of a room, or (without `room`) the whole service; permanent without `durationMs`. */
export class BanRequestDto extends ChatRequestDto {
  @IsModeratedUserId() userId!: string;
  @IsOptional()
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room?: string;
  @IsOptional() @IsModerationDuration() durationMs?: number;
  @IsModerationReason() reason?: string;
}
