import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ConversationRequestDto } from './conversation-request.dto.js';

/** `history`: page back through a joined room, or the DM conversation with a user. */
export class HistoryRequestDto extends ConversationRequestDto {
  @IsOptional() @IsString() @MaxLength(128) before?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}
