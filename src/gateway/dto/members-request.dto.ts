import { RoomRequestDto } from './room-request.dto.js';

/** `members`: list who is in a joined room. */
export class MembersRequestDto extends RoomRequestDto {}
