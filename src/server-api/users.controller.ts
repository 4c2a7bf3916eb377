import { Body, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChatPublisher } from '../domain/publisher/chat-publisher.js';
import type { DirectMessage } from '../protocol/chat.events.js';
import { ApiIdempotentCreate, ApiProblems } from './api-docs.decorators.js';
import { ApiScope } from './api-scope.decorator.js';
import { CustomEventDto } from './dto/custom-event.dto.js';
import { DisconnectDto } from './dto/disconnect.dto.js';
import { HistoryQueryDto } from './dto/history-query.dto.js';
import { PublishMessageDto } from './dto/publish-message.dto.js';
import { DirectHistoryView, DirectMessageView } from './dto/views.dto.js';
import { IdempotencyKey } from './idempotency-key.decorator.js';
import { markReplay } from './idempotent-replay.js';
import { ServerApiController } from './server-api.controller.decorator.js';

/** `/api/v1/users/:userId/…`: DMs, events, disconnects and DM history of one user, through `ChatPublisher`. */
@ServerApiController('users')
export class UsersController {
  constructor(private readonly publisher: ChatPublisher) {}

  @Post(':userId/messages')
  @ApiScope('dm')
  @ApiOperation({ summary: 'Send the user a DM (stored, delivered to all their sockets)' })
  @ApiIdempotentCreate(DirectMessageView)
  async dm(
    @Param('userId') userId: string,
    @Body() body: PublishMessageDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DirectMessage> {
    const published = await this.publisher.dm(userId, body.text, {
      from: body.from,
      idempotencyKey,
    });
    return markReplay(response, published);
  }

  @Post(':userId/events')
  @HttpCode(202)
  @ApiScope('emitToUser')
  @ApiOperation({ summary: 'Send a custom event to every socket of the user (not stored)' })
  @ApiAcceptedResponse({ description: 'handed to every node' })
  @ApiProblems(413)
  async emit(@Param('userId') userId: string, @Body() body: CustomEventDto): Promise<void> {
    await this.publisher.emitToUser(userId, body.event, body.data);
  }

  @Post(':userId/disconnect')
  @HttpCode(202)
  @ApiScope('disconnect')
  @ApiOperation({
    summary: 'Close every socket of the user with 4003 and the reason, on every node',
  })
  @ApiAcceptedResponse({ description: 'the command is on its way to every node' })
  @ApiProblems(413)
  async disconnect(@Param('userId') userId: string, @Body() body: DisconnectDto): Promise<void> {
    await this.publisher.disconnect(userId, body.reason);
  }

  @Get(':userId/conversations/:withUserId/messages')
  @ApiScope('directHistory')
  @ApiOperation({ summary: 'A page of the DM conversation of two users (a database only)' })
  @ApiOkResponse({ type: DirectHistoryView })
  @ApiProblems()
  async history(
    @Param('userId') userId: string,
    @Param('withUserId') withUserId: string,
    @Query() query: HistoryQueryDto,
  ): Promise<DirectHistoryView> {
    return { messages: await this.publisher.directHistory(userId, withUserId, query) };
  }
}
