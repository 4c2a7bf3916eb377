import { IsClientMsgId, IsMessageText } from './message-text.js';
import { RoomRequestDto } from './room-request.dto.js';

/** `message`: send text to a joined room. */
export class SendMessageDto extends RoomRequestDto {
  @IsMessageText() text!: string;
  @IsClientMsgId() clientMsgId?: string;
}
