import { IsString, Matches } from 'class-validator';
import { ROOM_NAME } from '../../protocol/limits.js';
import { ChatRequestDto } from './chat-request.dto.js';

/** A request about one room. */
export class RoomRequestDto extends ChatRequestDto {
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room!: string;
}
