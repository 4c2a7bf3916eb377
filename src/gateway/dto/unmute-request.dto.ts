import { IsModeratedUserId } from './moderation-fields.js';
import { RoomRequestDto } from './room-request.dto.js';

/** `unmute`: lift a user's mute in a room. */
export class UnmuteRequestDto extends RoomRequestDto {
  @IsModeratedUserId() userId!: string;
}
