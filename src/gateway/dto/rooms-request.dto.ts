import { ChatRequestDto } from './chat-request.dto.js';

/** `rooms`: list the rooms this connection is in. */
export class RoomsRequestDto extends ChatRequestDto {}
