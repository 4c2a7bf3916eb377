import { Module } from '@nestjs/common';
import { ConversationsService } from './conversations/conversations.service.js';
import { HistoryService } from './history/history.service.js';
import { ChatService } from './messaging/chat.service.js';
import { WriteQueue } from './messaging/write-queue.js';
import { RoomsService } from './rooms/rooms.service.js';
import { ModerationService } from './moderation/moderation.service.js';
import { ConnectionAdmission } from './session.js';

const SERVICES = [
  RoomsService,
  ChatService,
  WriteQueue,
  HistoryService,
  ConversationsService,
  ModerationService,
];

/** The chat domain: rooms and presence, sends through the write queue, history, conversations and read state, moderation. */
@Module({
  providers: [...SERVICES, { provide: ConnectionAdmission, useExisting: ModerationService }],
  exports: [...SERVICES, ConnectionAdmission],
})
export class DomainModule {}
