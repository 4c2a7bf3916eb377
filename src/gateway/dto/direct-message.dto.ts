import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ChatRequestDto } from './chat-request.dto.js';
import { IsClientMsgId, IsMessageText } from './message-text.js';

/** `dm`: send text to every socket of a user. */
export class DirectMessageDto extends ChatRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(64) to!: string;
  @IsMessageText() text!: string;
  @IsClientMsgId() clientMsgId?: string;
}
