import { Module } from '@nestjs/common';
import { HistoryModule } from '../chat/history.module.js';
import { RoomsService } from './rooms.service.js';

/** Room membership and presence. */
@Module({ imports: [HistoryModule], providers: [RoomsService], exports: [RoomsService] })
export class RoomsModule {}
