import { Module } from '@nestjs/common';
import { HistoryService } from './history.service.js';

/** History reads, shared by the gateway and by joins. */
@Module({ providers: [HistoryService], exports: [HistoryService] })
export class HistoryModule {}
