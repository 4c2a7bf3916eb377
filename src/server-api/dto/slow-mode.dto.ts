import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsInt, Max, Min } from 'class-validator';
import { MAX_SLOW_MODE_SECONDS } from '../../protocol/limits.js';

/** The body of a room's slow mode: the seconds between two messages of one user (0 turns it off). */
export class SlowModeDto {
  @ApiProperty({ minimum: 0, maximum: MAX_SLOW_MODE_SECONDS, example: 10 })
  @IsDefined()
  @IsInt()
  @Min(0)
  @Max(MAX_SLOW_MODE_SECONDS)
  seconds!: number;
}
