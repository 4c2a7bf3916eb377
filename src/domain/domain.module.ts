import { Module } from '@nestjs/common';
import { HistoryService } from './history/history.service.js';
import { ChatService } from './messaging/chat.service.js';
import { WriteQueue } from './messaging/write-queue.js';
import { RoomsService } from './rooms/rooms.service.js';

/** The chat domain: rooms and presence, sends through the write queue, and history. */
@Module({
  providers: [RoomsService, ChatService, WriteQueue, HistoryService],
  exports: [RoomsService, ChatService, WriteQueue, HistoryService],
})
export class DomainModule {}
