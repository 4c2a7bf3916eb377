import { RoomRequestDto } from './room-request.dto.js';

/** `leave`: leave a room. */
export class LeaveRoomDto extends RoomRequestDto {}
