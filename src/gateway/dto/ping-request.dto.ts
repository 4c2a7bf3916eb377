import { ChatRequestDto } from './chat-request.dto.js';

/** `ping`: asks for `pong`, nothing else; a client that heard nothing for a while proves its connection alive. */
export class PingRequestDto extends ChatRequestDto {}
