import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ConversationRequestDto } from './conversation-request.dto.js';
import { IsMessageText } from './message-text.js';

/** `edit`: replace the text of one of the user's own messages in a room or DM conversation. */
export class EditMessageDto extends ConversationRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(128) id!: string;
  @IsMessageText() text!: string;
}
