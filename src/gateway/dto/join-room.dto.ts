import { IsOptional, IsString, MaxLength } from 'class-validator';
import { RoomRequestDto } from './room-request.dto.js';

/** `join`: enter a room, optionally recovering every message after `since`. */
export class JoinRoomDto extends RoomRequestDto {
  @IsOptional() @IsString() @MaxLength(128) since?: string;
}
