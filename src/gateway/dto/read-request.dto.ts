import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ConversationRequestDto } from './conversation-request.dto.js';

/** `read`: move the user's read pointer in a conversation to a message. */
export class ReadRequestDto extends ConversationRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(128) id!: string;
  /** Move the pointer without a receipt to the other members. */
  @IsOptional() @IsBoolean() private?: boolean;
}
