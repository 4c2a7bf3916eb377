import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_HISTORY_LIMIT } from '../../domain/publisher/chat-publisher.js';

/** The query of a history page: up to `limit` messages older than `before` (or the latest). */
export class HistoryQueryDto {
  @ApiPropertyOptional({ description: 'a message id: the page ends before it' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_HISTORY_LIMIT, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_LIMIT)
  limit?: number;
}
