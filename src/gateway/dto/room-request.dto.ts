import { IsString, Matches } from 'class-validator';
import { ChatRequestDto, ROOM_NAME } from './chat-request.dto.js';

/** A request about one room. */
export class RoomRequestDto extends ChatRequestDto {
  @IsString()
  @Matches(ROOM_NAME, { message: 'room must match ^[A-Za-z0-9_.:-]{1,64}$' })
  room!: string;
}
