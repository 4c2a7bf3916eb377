import { RoomRequestDto } from './room-request.dto.js';

/** `typing`: tell the room this user is typing. */
export class TypingDto extends RoomRequestDto {}
