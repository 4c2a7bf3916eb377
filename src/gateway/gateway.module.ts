import { Module } from '@nestjs/common';
import { DomainModule } from '../domain/domain.module.js';
import { ChatGateway } from './chat.gateway.js';

/** The protocol edge: `ChatGateway` and the pipeline bound on it, over the domain's services. */
@Module({ imports: [DomainModule], providers: [ChatGateway] })
export class GatewayModule {}
