import { IsInt, Max, Min } from 'class-validator';
import { MAX_SLOW_MODE_SECONDS } from '../../protocol/limits.js';
import { RoomRequestDto } from './room-request.dto.js';

/** `slowmode`: one message per user per `seconds` in a room (0 turns it off); moderators are exempt. */
export class SlowModeRequestDto extends RoomRequestDto {
  @IsInt() @Min(0) @Max(MAX_SLOW_MODE_SECONDS) seconds!: number;
}
