import {
  IsModeratedUserId,
  IsModerationDuration,
  IsModerationReason,
} from './moderation-fields.js';
import { RoomRequestDto } from './room-request.dto.js';

/** `mute`: refuse a user's messages in a room for `durationMs`. */
export class MuteRequestDto extends RoomRequestDto {
  @IsModeratedUserId() userId!: string;
  @IsModerationDuration() durationMs!: number;
  @IsModerationReason() reason?: string;
}
