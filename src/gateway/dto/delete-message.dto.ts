import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ConversationRequestDto } from './conversation-request.dto.js';

/** `delete`: delete one of the user's own messages in a room or DM conversation. */
export class DeleteMessageDto extends ConversationRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(128) id!: string;
}
