import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RoomRequestDto } from './room-request.dto.js';

/** `history`: page back through a joined room. */
export class HistoryRequestDto extends RoomRequestDto {
  @IsOptional() @IsString() @MaxLength(128) before?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}
