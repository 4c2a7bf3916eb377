import { IsOptional, IsString, Matches } from 'class-validator';
import { ROOM_NAME } from '../../protocol/limits.js';
import { ChatRequestDto } from './chat-request.dto.js';
import { IsModeratedUserId } from './moderation-fields.js';

/** `unban`: lift a user's ban from a room, or (without `room`) from the whole service. */
export class UnbanRequestDto extends ChatRequestDto {
  @IsModeratedUserId() userId!: string;
  @IsOptional()
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room?: string;
}
