import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ChatRequestDto } from './chat-request.dto.js';

/** `conversations`: the user's conversations, most recent first. */
export class ConversationsRequestDto extends ChatRequestDto {
  @IsOptional() @IsInt() @Min(1) @Max(200) limit?: number;
}
