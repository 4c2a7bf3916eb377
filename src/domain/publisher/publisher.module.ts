import { Module } from '@nestjs/common';
import { DomainModule } from '../domain.module.js';
import { SessionCommands } from '../session.js';
import { ChatPublisher } from './chat-publisher.js';
import { UserCommandsService } from './user-commands.service.js';

/** The host's server-side API (`ChatPublisher`) and the handler that carries out its commands on this node. */
@Module({
  imports: [DomainModule],
  providers: [
    ChatPublisher,
    UserCommandsService,
    { provide: SessionCommands, useExisting: UserCommandsService },
  ],
  exports: [ChatPublisher, SessionCommands],
})
export class PublisherModule {}
