import { Module } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { PublisherModule } from '../domain/publisher/publisher.module.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyTable } from './api-key-table.js';
import { ModerationController } from './moderation.controller.js';
import { RoomsController } from './rooms.controller.js';
import { UsersController } from './users.controller.js';

/**
 * The server HTTP API (`/api/v1`) for backends in any language: `ChatPublisher`'s operations behind
 * hashed, scoped, rate-limited API keys (SERVER_API_KEYS; none: every route answers 404).
 */
@Module({
  imports: [PublisherModule],
  controllers: [RoomsController, UsersController, ModerationController],
  providers: [
    {
      provide: ApiKeyTable,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => new ApiKeyTable(config.SERVER_API_KEYS),
    },
    ApiKeyGuard,
  ],
})
export class ServerApiModule {}
