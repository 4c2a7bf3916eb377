import { Injectable, Logger } from '@nestjs/common';
import type { UserCommand } from '../../engine/broker.js';
import { logFailure } from '../../engine/backend-unreachable.js';
import { reply } from '../../protocol/chat.events.js';
import { CloseCode } from '../../protocol/close-code.js';
import { RoomsService } from '../rooms/rooms.service.js';
import { SessionCommands, SessionDirectory, type ChatSession } from '../session.js';

/**
 * Carries out `ChatPublisher`'s leave and disconnect on this node's sockets of a user, as each node's
 * fan-out hands it the command: a leave is a client's `leave` (presence announced) followed by an
 * unsolicited `left`; a disconnect closes with 4003, and the close takes the socket out of its rooms.
 */
@Injectable()
export class UserCommandsService extends SessionCommands {
  private readonly logger = new Logger(UserCommandsService.name);

  constructor(
    private readonly directory: SessionDirectory,
    private readonly rooms: RoomsService,
  ) {
    super();
  }

  apply(userId: string, command: UserCommand): void {
    for (const session of this.directory.ofUser(userId)) {
      if (command.command === 'disconnect')
        session.close(CloseCode.ServerDisconnect, command.reason);
      else if (session.rooms.has(command.room)) this.leave(session, command.room);
    }
  }

  private leave(session: ChatSession, room: string): void {
    // The room's index drops the session before the leave's first wait: `left` is the last frame of it.
    const leaving = this.rooms.leave(session, room);
    session.send(JSON.stringify(reply('left', { room })));
    leaving.catch((error: unknown) =>
      logFailure(this.logger, 'warn', `server leave of ${room} not completed`, error),
    );
  }
}
