import { IsOptional } from 'class-validator';
import {
  IsModeratedUserId,
  IsModerationDuration,
  IsModerationReason,
} from './moderation-fields.js';
import { RoomRequestDto } from './room-request.dto.js';

/** `mute`: refuse a user's messages in a room for `durationMs`, or until `unmute` without it. */
export class MuteRequestDto extends RoomRequestDto {
  @IsModeratedUserId() userId!: string;
  @IsOptional() @IsModerationDuration() durationMs?: number;
  @IsModerationReason() reason?: string;
}
