import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ChatGateway } from './chat.gateway.js';
import { ChatService } from './chat.service.js';
import { GracefulShutdownService } from './graceful-shutdown.service.js';
import { HistoryModule } from './history.module.js';
import { WriteQueue } from './write-queue.js';

/** The chat feature: the gateway, the send path and history. */
@Module({
  imports: [RoomsModule, HistoryModule],
  providers: [ChatGateway, ChatService, WriteQueue, GracefulShutdownService],
})
export class ChatModule {}
