import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_MODERATION_DURATION_MS } from '../../protocol/limits.js';

/** The body of a ban or a mute: how long it lasts (absent: until lifted) and why, as the user is told. */
export class ModerationTermsDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_MODERATION_DURATION_MS,
    example: 3_600_000,
    description: 'milliseconds from now; left out, it lasts until lifted',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MODERATION_DURATION_MS)
  durationMs?: number;

  @ApiPropertyOptional({
    example: 'spam',
    description: 'shown to the user; at most MODERATION_MAX_REASON_LENGTH printable characters',
  })
  // Its length is a setting, so ModerationService checks it, answered in the same problem.
  @IsOptional()
  @IsString()
  reason?: string;
}
